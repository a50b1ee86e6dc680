package io.meshsdk.core.security.policy;

/**
 * One compiled {@code source=} value: an IPv4 or IPv6 network. A value without {@code /} is one address
 * ({@code /32} or {@code /128}); a value with host bits set ({@code 10.0.0.1/8}) is refused, naming the network
 * that was probably meant.
 */
final class Cidr {

  final String text;
  final boolean v6;
  private final long v4Net;
  private final long v4Mask;
  private final long hiNet;
  private final long loNet;
  private final long hiMask;
  private final long loMask;

  private Cidr(String text, boolean v6, long v4Net, long v4Mask, long hiNet, long loNet, long hiMask,
      long loMask) {
    this.text = text;
    this.v6 = v6;
    this.v4Net = v4Net;
    this.v4Mask = v4Mask;
    this.hiNet = hiNet;
    this.loNet = loNet;
    this.hiMask = hiMask;
    this.loMask = loMask;
  }

  /**
   * Compiles {@code text}.
   *
   * @throws IllegalArgumentException with the reason
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    boolean v6 = addr.indexOf(':') >= 0;
    int max = v6 ? 128 : 32;
    int prefix = max;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || (p.length() > 1 && p.charAt(0) == '0')) {
        throw new IllegalArgumentException("source \"" + text + "\": bad prefix length \"" + p + "\" (0-" + max
            + ")");
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException("source \"" + text + "\": prefix length " + prefix + " is longer than "
            + max + " bits");
      }
    }
    if (!v6) {
      long a = Ip.v4(addr, 0, addr.length(), true);
      if (a < 0) {
        throw new IllegalArgumentException("source \"" + text + "\": \"" + addr + "\" is not an IPv4 address"
            + " (a.b.c.d, no leading zeros) or an IPv6 address");
      }
      long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      if ((a & ~mask & 0xffffffffL) != 0) {
        throw new IllegalArgumentException("source \"" + text + "\": host bits set (did you mean "
            + v4Text(a & mask) + "/" + prefix + "?)");
      }
      return new Cidr(text, false, a, mask, 0, 0, 0, 0);
    }
    if (addr.indexOf('%') >= 0 || addr.indexOf('[') >= 0 || Ip.v6(addr, 0) == 0) {
      throw new IllegalArgumentException("source \"" + text + "\": \"" + addr + "\" is not an IPv6 address");
    }
    long hi = Ip.v6(addr, 1);
    long lo = Ip.v6(addr, 2);
    long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    if ((hi & ~hiMask) != 0 || (lo & ~loMask) != 0) {
      throw new IllegalArgumentException("source \"" + text + "\": host bits set (the network of a /" + prefix
          + " has zeros after its first " + prefix + " bits)");
    }
    return new Cidr(text, true, 0, 0, hi, lo, hiMask, loMask);
  }

  /**
   * Whether the address matches: {@code classified} is {@link Ip#classify} of {@code address}.
   */
  boolean matches(long classified, String address) {
    if (classified >= 0) {
      return !v6 && (classified & v4Mask) == v4Net;
    }
    if (classified == Ip.V6 && v6) {
      return (Ip.v6(address, 1) & hiMask) == hiNet && (Ip.v6(address, 2) & loMask) == loNet;
    }
    return false;
  }

  private static String v4Text(long a) {
    return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }

  @Override
  public String toString() {
    return text;
  }
}
