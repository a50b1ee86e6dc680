package io.meshsdk.core.security.policy;

/**
 * Hand-written address parsing over a String, without allocation: IPv4 dotted quads and IPv6 text (RFC 4291
 * forms: {@code ::} compression, an embedded dotted quad, an optional {@code %zone} which is ignored, optional
 * brackets). An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) counts as its IPv4 address.
 */
final class Ip {

  /** {@link #classify} result: not an address (or null). */
  static final long NONE = -1;
  /** {@link #classify} result: an IPv6 address (not IPv4-mapped); compare with {@link #v6}. */
  static final long V6 = -2;

  private Ip() {}

  /**
   * The IPv4 address of {@code s} as 0..2^32-1 (also for an IPv4-mapped IPv6 address), {@link #V6} for another
   * IPv6 address, {@link #NONE} when it is neither.
   */
  static long classify(String s) {
    long v4 = v4(s, 0, s.length(), false);
    if (v4 >= 0) {
      return v4;
    }
    if (v6(s, 0) == 0) {
      return NONE;
    }
    long hi = v6(s, 1);
    long lo = v6(s, 2);
    if (hi == 0 && (lo >>> 32) == 0xffffL) {
      return lo & 0xffffffffL;
    }
    return V6;
  }

  /**
   * The dotted quad {@code s[from, to)} as 0..2^32-1, or -1. {@code strict} refuses leading zeros ({@code 010}
   * reads as octal in some parsers; a policy must not be ambiguous).
   */
  static long v4(String s, int from, int to, boolean strict) {
    long value = 0;
    int parts = 0;
    int i = from;
    while (parts < 4) {
      int start = i;
      int octet = 0;
      while (i < to && i - start < 3) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        octet = octet * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || octet > 255 || (strict && digits > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      value = (value << 8) | octet;
      parts++;
      if (parts < 4) {
        if (i >= to || s.charAt(i) != '.') {
          return -1;
        }
        i++;
      }
    }
    return i == to ? value : -1;
  }

  /**
   * Parses {@code s} as IPv6. {@code what}: 0 returns 1 when valid, 0 when not; 1 returns the high 64 bits; 2 the
   * low 64 bits (of a valid address). Three passes instead of an allocated result.
   */
  static long v6(String s, int what) {
    int from = 0;
    int to = s.length();
    if (to >= 2 && s.charAt(0) == '[' && s.charAt(to - 1) == ']') {
      from = 1;
      to--;
    }
    int zone = s.indexOf('%', from);
    if (zone >= 0 && zone < to) {
      if (zone == to - 1) {
        return 0;
      }
      to = zone;
    }
    if (to - from < 2) {
      return 0;
    }
    // groups before "::" in (bHi, bLo) as a 128-bit shift register, count nb; after it in (aHi, aLo), na
    long bHi = 0;
    long bLo = 0;
    long aHi = 0;
    long aLo = 0;
    int nb = 0;
    int na = 0;
    boolean compressed = false;
    int i = from;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return 0;
      }
      compressed = true;
      i += 2;
    }
    while (i < to) {
      int start = i;
      int g = 0;
      while (i < to && i - start < 4) {
        int d = Character.digit(s.charAt(i), 16);
        if (d < 0 || s.charAt(i) > 'f') {
          break;
        }
        g = (g << 4) | d;
        i++;
      }
      if (i < to && s.charAt(i) == '.') { // embedded dotted quad: the last 32 bits
        long q = v4(s, start, to, false);
        if (q < 0 || (compressed ? na : nb) + (compressed ? nb : 0) > 6) {
          return 0;
        }
        for (int k = 0; k < 2; k++) {
          int part = (int) (k == 0 ? q >>> 16 : q & 0xffff);
          if (compressed) {
            aHi = (aHi << 16) | (aLo >>> 48);
            aLo = (aLo << 16) | part;
            na++;
          } else {
            bHi = (bHi << 16) | (bLo >>> 48);
            bLo = (bLo << 16) | part;
            nb++;
          }
        }
        i = to;
        break;
      }
      if (i == start) {
        return 0;
      }
      if (compressed) {
        aHi = (aHi << 16) | (aLo >>> 48);
        aLo = (aLo << 16) | g;
        na++;
      } else {
        bHi = (bHi << 16) | (bLo >>> 48);
        bLo = (bLo << 16) | g;
        nb++;
      }
      if (nb + na > 8) {
        return 0;
      }
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return 0;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (compressed) {
          return 0;
        }
        compressed = true;
        i++;
      } else if (i == to) {
        return 0; // a trailing single ':'
      }
    }
    if (compressed ? nb + na > 7 : nb != 8) {
      return 0;
    }
    if (what == 0) {
      return 1;
    }
    // the groups before "::" move to the top: shift (bHi, bLo) left by 16 * (8 - nb) bits
    int shift = 16 * (8 - nb);
    long hi;
    long lo;
    if (shift == 0) {
      hi = bHi;
      lo = bLo;
    } else if (shift >= 128) {
      hi = 0;
      lo = 0;
    } else if (shift >= 64) {
      hi = shift == 64 ? bLo : bLo << (shift - 64);
      lo = 0;
    } else {
      hi = (bHi << shift) | (bLo >>> (64 - shift));
      lo = bLo << shift;
    }
    return what == 1 ? hi | aHi : lo | aLo;
  }
}
