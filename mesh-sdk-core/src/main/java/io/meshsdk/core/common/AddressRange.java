package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}; a bare address is a block of one:
 * {@code /32} or {@code /128}), matched against the textual remote address a server reports ({@code 127.0.0.1},
 * {@code 0:0:0:0:0:0:0:1}, {@code ::ffff:10.1.2.3}). Immutable.
 *
 * <p>Matching parses the address text by hand and allocates nothing, IPv6 included; text that is no address
 * literal matches nothing and is never resolved as a host name. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d})
 * matches as the IPv4 address it carries. Parsing is strict: no leading zeros in an octet ({@code 010} is octal to
 * some parsers), and a block with host bits set below its prefix ({@code 10.0.0.1/8}) is refused, naming the block
 * that was probably meant.
 */
public final class AddressRange {

  private final String text;
  private final boolean v6;
  private final long v4Net;
  private final long v4Mask;
  private final long hiNet;
  private final long loNet;
  private final long hiMask;
  private final long loMask;

  private AddressRange(String text, boolean v6, long v4Net, long v4Mask, long hiNet, long loNet, long hiMask,
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
   * Parses {@code address/prefix} or a bare address.
   *
   * @throws IllegalArgumentException naming what is wrong: not an address literal, a prefix out of range, or host
   *     bits set below the prefix
   */
  public static AddressRange parse(String cidr) {
    requireNonNull(cidr, "cidr");
    String text = cidr.strip();
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    boolean v6 = addr.indexOf(':') >= 0;
    int max = v6 ? 128 : 32;
    int prefix = max;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || (p.length() > 1 && p.charAt(0) == '0')) {
        throw new IllegalArgumentException("\"" + text + "\": bad prefix length \"" + p + "\" (0-" + max + ")");
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException("\"" + text + "\": prefix length " + prefix + " is longer than " + max
            + " bits");
      }
    }
    if (!v6) {
      long a = Ip.v4(addr, 0, addr.length(), true);
      if (a < 0) {
        throw new IllegalArgumentException("\"" + text + "\": \"" + addr + "\" is not an IPv4 address"
            + " (a.b.c.d, no leading zeros) or an IPv6 address; host names are not resolved");
      }
      long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      if ((a & ~mask & 0xffffffffL) != 0) {
        throw new IllegalArgumentException("\"" + text + "\": host bits set (did you mean " + v4Text(a & mask) + "/"
            + prefix + "?)");
      }
      return new AddressRange(v4Text(a) + "/" + prefix, false, a, mask, 0, 0, 0, 0);
    }
    if (addr.indexOf('%') >= 0 || addr.indexOf('[') >= 0 || Ip.v6(addr, 0) == 0) {
      throw new IllegalArgumentException("\"" + text + "\": \"" + addr + "\" is not an IPv6 address");
    }
    long hi = Ip.v6(addr, 1);
    long lo = Ip.v6(addr, 2);
    long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    if ((hi & ~hiMask) != 0 || (lo & ~loMask) != 0) {
      throw new IllegalArgumentException("\"" + text + "\": host bits set (the network of a /" + prefix
          + " has zeros after its first " + prefix + " bits)");
    }
    return new AddressRange(addr + "/" + prefix, true, 0, 0, hi, lo, hiMask, loMask);
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

  /**
   * {@code address} read once for matching against several ranges ({@link #contains(long, String)}): its IPv4
   * value (also for an IPv4-mapped IPv6 address), or a negative marker for another IPv6 address or for text that is
   * no address.
   */
  public static long classify(@Nullable String address) {
    return address == null ? Ip.NONE : Ip.classify(address);
  }

  /** Whether {@code address} (a textual IP address, as a server reports its peer) is in this block. */
  public boolean contains(@Nullable String address) {
    return address != null && contains(Ip.classify(address), address);
  }

  /**
   * Whether {@code address} is in this block, {@code classified} being {@link #classify(String)} of it: for one
   * address checked against many blocks.
   */
  public boolean contains(long classified, String address) {
    if (classified >= 0) {
      return !v6 && (classified & v4Mask) == v4Net;
    }
    if (classified == Ip.V6 && v6) {
      return (Ip.v6(address, 1) & hiMask) == hiNet && (Ip.v6(address, 2) & loMask) == loNet;
    }
    return false;
  }

  /** Whether any of {@code ranges} contains {@code address}. */
  public static boolean anyContains(List<AddressRange> ranges, @Nullable String address) {
    if (address == null || ranges.isEmpty()) {
      return false;
    }
    long classified = Ip.classify(address);
    for (int i = 0; i < ranges.size(); i++) {
      if (ranges.get(i).contains(classified, address)) {
        return true;
      }
    }
    return false;
  }

  boolean v6() {
    return v6;
  }

  /** The first address of an IPv4 block, 0..2^32-1. */
  long v4First() {
    return v4Net;
  }

  /** The number of addresses of an IPv4 block, 1..2^32. */
  long v4Size() {
    return (~v4Mask & 0xffffffffL) + 1;
  }

  long v6HighNet() {
    return hiNet;
  }

  long v6LowNet() {
    return loNet;
  }

  int prefixLength() {
    return v6 ? Long.bitCount(hiMask) + Long.bitCount(loMask) : Long.bitCount(v4Mask);
  }

  private static String v4Text(long a) {
    return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AddressRange r && r.v6 == v6 && r.v4Net == v4Net && r.v4Mask == v4Mask && r.hiNet == hiNet
        && r.loNet == loNet && r.hiMask == hiMask && r.loMask == loMask;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(v4Net ^ hiNet ^ loNet) * 31 + Long.bitCount(v4Mask ^ hiMask ^ loMask);
  }

  /** The block in CIDR notation, such as {@code 10.0.0.0/8}. */
  @Override
  public String toString() {
    return text;
  }
}
