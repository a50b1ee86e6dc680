package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}; a bare address is a block of one),
 * matched against the textual remote address a server reports ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1},
 * {@code ::ffff:10.1.2.3}). Immutable.
 *
 * <p>Matching an IPv4 address allocates nothing; an IPv6 address is parsed with {@link InetAddress} (a literal only:
 * text that is not an address literal never triggers a name lookup and matches nothing). An IPv4-mapped IPv6
 * address ({@code ::ffff:a.b.c.d}) matches as the IPv4 address it carries.
 */
public final class AddressRange {

  private final String text;
  private final byte[] network;
  private final int prefix;

  private AddressRange(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses {@code address/prefix} or a bare address.
   *
   * @throws IllegalArgumentException naming what is wrong: not an address literal, a prefix out of range, or host
   *     bits set below the prefix ({@code 10.0.0.1/8}: write {@code 10.0.0.0/8})
   */
  public static AddressRange parse(String cidr) {
    requireNonNull(cidr, "cidr");
    String t = cidr.strip();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("\"" + cidr + "\" is not an IPv4 or IPv6 address (a CIDR block such as"
          + " 10.0.0.0/8 or ::1/128; host names are not resolved)");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("\"" + cidr + "\": prefix length \"" + p + "\" is not a number 0-" + max);
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException("\"" + cidr + "\": prefix length " + prefix + " is over " + max
            + " for an IPv" + (max == 32 ? "4" : "6") + " address");
      }
    }
    for (int bit = prefix; bit < max; bit++) {
      if ((bytes[bit >> 3] & (0x80 >> (bit & 7))) != 0) {
        throw new IllegalArgumentException("\"" + cidr + "\": host bits are set below the /" + prefix
            + " prefix (did you mean " + masked(bytes, prefix) + "/" + prefix + "?)");
      }
    }
    return new AddressRange(masked(bytes, max) + "/" + prefix, bytes, prefix);
  }

  /**
   * Parses a comma-separated list of blocks (blank items skipped).
   *
   * @throws IllegalArgumentException for the first invalid block
   */
  public static List<AddressRange> parseList(String commaSeparated) {
    requireNonNull(commaSeparated, "commaSeparated");
    List<AddressRange> out = new ArrayList<>();
    for (String item : commaSeparated.split(",", -1)) {
      if (!item.isBlank()) {
        out.add(parse(item));
      }
    }
    return List.copyOf(out);
  }

  /** Whether {@code address} (a textual IP address, as a server reports its peer) is in this block. */
  public boolean contains(@Nullable String address) {
    if (address == null || address.isEmpty()) {
      return false;
    }
    if (network.length == 4) {
      int v4 = ipv4(address, 0, address.length());
      if (v4 != -1 || isIpv4Text(address)) {
        return v4 != -1 && matchesV4(v4);
      }
    }
    byte[] b = literal(address);
    if (b == null || b.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit += 8) {
      int mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
      if ((b[bit >> 3] & mask) != (network[bit >> 3] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Whether any of {@code ranges} contains {@code address}. */
  public static boolean anyContains(List<AddressRange> ranges, @Nullable String address) {
    for (int i = 0; i < ranges.size(); i++) {
      if (ranges.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesV4(int v4) {
    if (prefix == 0) {
      return true;
    }
    int net = ((network[0] & 0xff) << 24) | ((network[1] & 0xff) << 16) | ((network[2] & 0xff) << 8)
        | (network[3] & 0xff);
    int mask = -1 << (32 - prefix);
    return (v4 & mask) == (net & mask);
  }

  private static boolean isIpv4Text(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** A dotted quad in {@code s[from, to)} as an int, or -1 (also for 255.255.255.255, which no peer has). */
  private static int ipv4(String s, int from, int to) {
    int value = 0;
    int octets = 0;
    int i = from;
    while (i < to) {
      int start = i;
      int octet = 0;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
        octet = octet * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || octet > 255 || (i - start > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      value = (value << 8) | octet;
      octets++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != '.' || octets == 4) {
        return -1;
      }
      i++;
      if (i == to) {
        return -1;
      }
    }
    return octets == 4 ? value : -1;
  }

  /** The bytes of an IP literal (IPv4-mapped IPv6 as its 4 IPv4 bytes), or null when {@code s} is none. */
  private static byte @Nullable [] literal(String s) {
    int v4 = ipv4(s, 0, s.length());
    if (v4 != -1) {
      return new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
    }
    if (s.indexOf(':') < 0 || s.length() > 45) {
      return null; // neither a dotted quad nor an IPv6 literal: never handed to a resolver
    }
    String body = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
          || c == '.';
      if (!ok) {
        return null; // a zone id (%eth0) or anything else: not matched
      }
    }
    try {
      return InetAddress.getByName(body).getAddress();
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
  }

  private static String masked(byte[] bytes, int prefix) {
    byte[] m = bytes.clone();
    for (int bit = prefix; bit < m.length * 8; bit++) {
      m[bit >> 3] &= (byte) ~(0x80 >> (bit & 7));
    }
    try {
      return InetAddress.getByAddress(m).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRange r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The block in CIDR notation, such as {@code 10.0.0.0/8}. */
  @Override
  public String toString() {
    return text;
  }
}
