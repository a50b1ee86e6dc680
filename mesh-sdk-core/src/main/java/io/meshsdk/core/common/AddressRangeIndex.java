package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Numbered sets of {@link AddressRange}s (set {@code i}: the {@code source} networks of rule {@code i}), compiled so
 * that the sets containing one address are found with one parse of the address and one binary search, whatever
 * the number of sets and ranges. Immutable and thread-safe; {@link #lookup(String)} and {@link #setsWord(int, int)}
 * allocate nothing.
 *
 * <p>The address space (IPv4 and IPv6 apart) is cut at every range's first address and at the address after its
 * last one; each piece between two cuts lies wholly inside or wholly outside each range, so each piece keeps the
 * bitset of the sets holding it (stored from its first to its last non-zero word). An address is matched as by {@link AddressRange#contains(String)}: an
 * IPv4-mapped IPv6 address counts as its IPv4 address, text that is no address literal is in no set.
 */
public final class AddressRangeIndex {

  private static final BigInteger V4_END = BigInteger.ONE.shiftLeft(32);
  private static final BigInteger V6_END = BigInteger.ONE.shiftLeft(128);

  /** First address of each IPv4 piece, ascending, the first one 0. */
  private final long[] v4Starts;
  private final long[][] v4Sets;
  /** First address of each IPv6 piece (high and low 64 bits), ascending unsigned, the first one 0. */
  private final long[] v6StartHi;
  private final long[] v6StartLo;
  private final long[][] v6Sets;

  private AddressRangeIndex(int sets, List<? extends List<AddressRange>> ranges) {
    int words = (sets + 63) >>> 6;
    // per family: at each cut, which sets enter (+1) and leave (-1) there; a sweep keeps each set's count of
    // ranges holding the current piece
    TreeMap<BigInteger, List<int[]>> v4 = new TreeMap<>();
    TreeMap<BigInteger, List<int[]>> v6 = new TreeMap<>();
    v4.put(BigInteger.ZERO, new ArrayList<>());
    v6.put(BigInteger.ZERO, new ArrayList<>());
    for (int s = 0; s < ranges.size(); s++) {
      for (AddressRange r : ranges.get(s)) {
        BigInteger first = r.v6() ? unsigned(r.v6HighNet()).shiftLeft(64).or(unsigned(r.v6LowNet()))
            : BigInteger.valueOf(r.v4First());
        BigInteger end = first.add(BigInteger.ONE.shiftLeft((r.v6() ? 128 : 32) - r.prefixLength()));
        TreeMap<BigInteger, List<int[]>> cuts = r.v6() ? v6 : v4;
        cuts.computeIfAbsent(first, x -> new ArrayList<>()).add(new int[] {s, 1});
        cuts.computeIfAbsent(end, x -> new ArrayList<>()).add(new int[] {s, -1}); // past the top: never reached
      }
    }
    v4.tailMap(V4_END, true).clear();
    v6.tailMap(V6_END, true).clear();
    long[] v4Starts = new long[v4.size()];
    this.v4Sets = sweep(v4, sets, words, (i, start) -> v4Starts[i] = start.longValue());
    this.v4Starts = v4Starts;
    long[] v6Hi = new long[v6.size()];
    long[] v6Lo = new long[v6.size()];
    this.v6Sets = sweep(v6, sets, words, (i, start) -> {
      v6Hi[i] = start.shiftRight(64).longValue();
      v6Lo[i] = start.longValue();
    });
    this.v6StartHi = v6Hi;
    this.v6StartLo = v6Lo;
  }

  private interface Start {
    void at(int piece, BigInteger start);
  }

  private static long[][] sweep(Map<BigInteger, List<int[]>> cuts, int sets, int words, Start starts) {
    long[][] out = new long[cuts.size()][];
    int[] count = new int[sets];
    long[] bits = new long[words];
    int i = 0;
    for (Map.Entry<BigInteger, List<int[]>> cut : cuts.entrySet()) {
      for (int[] e : cut.getValue()) {
        int s = e[0];
        count[s] += e[1];
        if (count[s] > 0) {
          bits[s >>> 6] |= 1L << s;
        } else {
          bits[s >>> 6] &= ~(1L << s);
        }
      }
      // a piece holding the same sets as the one before shares its array
      long[] compact = CompactBitset.compact(bits);
      out[i] = i > 0 && Arrays.equals(out[i - 1], compact) ? out[i - 1] : compact;
      starts.at(i++, cut.getKey());
    }
    return out;
  }

  /**
   * Compiles numbered sets of ranges.
   *
   * @param ranges set {@code i} at index {@code i}; an empty set contains no address
   */
  public static AddressRangeIndex of(List<? extends List<AddressRange>> ranges) {
    requireNonNull(ranges, "ranges");
    return new AddressRangeIndex(ranges.size(), List.copyOf(new ArrayList<>(ranges)));
  }

  private static BigInteger unsigned(long v) {
    return BigInteger.valueOf(v >>> 1).shiftLeft(1).or(BigInteger.valueOf(v & 1));
  }

  /**
   * The piece of the address space holding {@code address}, for {@link #setsWord(int, int)}; -1 when it is null or
   * no address literal.
   *
   * @param address a textual IP address as a server reports its peer ({@code getRemoteAddr()}), or null
   */
  public int lookup(@Nullable String address) {
    if (address == null) {
      return -1;
    }
    long v4 = Ip.v4(address, 0, address.length(), false);
    if (v4 < 0) {
      if (Ip.v6(address, 0) == 0) {
        return -1;
      }
      long hi = Ip.v6(address, 1);
      long lo = Ip.v6(address, 2);
      if (hi == 0 && (lo >>> 32) == 0xffffL) {
        v4 = lo & 0xffffffffL;
      } else {
        return v4Starts.length + floor(hi, lo);
      }
    }
    long[] starts = v4Starts;
    int low = 0;
    int high = starts.length - 1;
    while (low < high) { // the last start <= v4; starts[0] == 0
      int mid = (low + high + 1) >>> 1;
      if (starts[mid] <= v4) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }

  /**
   * Word {@code word} of the bitset of the sets containing the addresses of {@code piece}: bit {@code b} is set
   * when set {@code 64 * word + b} has a range holding them. 0 for piece -1 (no address).
   *
   * @param piece what {@link #lookup(String)} returned
   */
  public long setsWord(int piece, int word) {
    if (piece < 0) {
      return 0;
    }
    int v4Pieces = v4Starts.length;
    return CompactBitset.word(piece < v4Pieces ? v4Sets[piece] : v6Sets[piece - v4Pieces], word);
  }

  private int floor(long hi, long lo) {
    int low = 0;
    int high = v6StartHi.length - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      int c = Long.compareUnsigned(v6StartHi[mid], hi);
      if (c < 0 || (c == 0 && Long.compareUnsigned(v6StartLo[mid], lo) <= 0)) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }
}
