package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AddressRangeIndex} says of every set what {@link AddressRange#contains(String)} over its ranges says:
 * random sets of random blocks (nested, overlapping, adjacent, /0 and single addresses), probed at every block's
 * edges (the address before its first, its first, its last, the one after its last) and at random addresses, in
 * IPv4, IPv6 and IPv4-mapped IPv6 text. Fixed seeds.
 */
class AddressRangeIndexTest {

  @Test
  void setsContainingEqualsContainsOfEachRange() {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      int sets = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 140);
      List<List<AddressRange>> ranges = new ArrayList<>();
      List<String> probes = new ArrayList<>(List.of("0.0.0.0", "255.255.255.255", "::", "::1",
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "not an address", "", "::ffff:255.255.255.255"));
      for (int s = 0; s < sets; s++) {
        List<AddressRange> set = new ArrayList<>();
        for (int k = rnd.nextInt(4); k > 0; k--) {
          set.add(rnd.nextBoolean() ? v4Block(rnd, probes) : v6Block(rnd, probes));
        }
        ranges.add(set);
      }
      for (int k = 0; k < 50; k++) {
        probes.add(v4(rnd.nextLong() & 0xffffffffL));
        probes.add(v6(rnd.nextLong(), rnd.nextLong()));
      }
      AddressRangeIndex index = AddressRangeIndex.of(ranges);
      for (String address : probes) {
        int piece = index.lookup(address);
        for (int s = 0; s < sets; s++) {
          boolean want = false;
          for (AddressRange r : ranges.get(s)) {
            want |= r.contains(address);
          }
          assertThat((index.setsWord(piece, s >>> 6) >>> s & 1) != 0)
              .as("seed %d: set %d %s contains %s", seed, s, ranges.get(s), address).isEqualTo(want);
        }
      }
      assertThat(index.lookup(null)).isEqualTo(-1);
      assertThat(index.setsWord(-1, 0)).isZero();
      assertThat(index.setsWord(index.lookup("::1"), 3)).isZero(); // past the last word
    }
  }

  @Test
  void noRangesContainNothing() {
    AddressRangeIndex index = AddressRangeIndex.of(List.of(List.of(), List.of()));
    assertThat(index.setsWord(index.lookup("10.0.0.1"), 0)).isZero();
    assertThat(index.setsWord(index.lookup("::1"), 0)).isZero();
    AddressRangeIndex all = AddressRangeIndex.of(List.of(List.of(AddressRange.parse("0.0.0.0/0")),
        List.of(AddressRange.parse("::/0"))));
    assertThat(all.setsWord(all.lookup("1.2.3.4"), 0)).isEqualTo(1L);
    assertThat(all.setsWord(all.lookup("::ffff:1.2.3.4"), 0)).isEqualTo(1L); // IPv4-mapped: the IPv4 address
    assertThat(all.setsWord(all.lookup("2001:db8::1"), 0)).isEqualTo(2L);
    assertThat(all.setsWord(all.lookup("[::1]"), 0)).isEqualTo(2L);
    assertThat(all.lookup("localhost")).isEqualTo(-1);
  }

  @Test
  void aSetOfNeighbouringRulesIsStoredInTheWordsItUses() {
    List<List<AddressRange>> ranges = new ArrayList<>();
    for (int s = 0; s < 1000; s++) {
      ranges.add(s == 700 || s == 701 ? List.of(AddressRange.parse("10.0.0.0/8")) : List.of());
    }
    AddressRangeIndex index = AddressRangeIndex.of(ranges);
    int piece = index.lookup("10.1.2.3");
    for (int w = 0; w < 16; w++) {
      assertThat(index.setsWord(piece, w)).as("word %d", w).isEqualTo(w == 10 ? 3L << 60 : 0);
    }
    assertThat(CompactBitset.compact(new long[] {0, 0, 5, 0, 7, 0})).containsExactly(2, 5, 0, 7);
    assertThat(CompactBitset.compact(new long[] {0, 0})).containsExactly(0);
  }

  private static AddressRange v4Block(Random rnd, List<String> probes) {
    int prefix = rnd.nextInt(5) == 0 ? 32 : rnd.nextInt(33);
    long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    // few distinct networks, so that blocks nest and touch
    long net = (rnd.nextInt(4) == 0 ? rnd.nextLong() : 0x0a000000L | (rnd.nextInt(4) << 16 | rnd.nextInt(3) << 8))
        & mask;
    long last = net | (~mask & 0xffffffffL);
    for (long a : new long[] {net - 1, net, last, last + 1}) {
      if (a >= 0 && a <= 0xffffffffL) {
        probes.add(v4(a));
        probes.add("::ffff:" + v4(a));
      }
    }
    return AddressRange.parse(v4(net) + "/" + prefix);
  }

  private static AddressRange v6Block(Random rnd, List<String> probes) {
    int prefix = rnd.nextInt(5) == 0 ? 128 : rnd.nextInt(129);
    long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    long hi = (rnd.nextInt(4) == 0 ? rnd.nextLong() : 0x20010db800000000L | rnd.nextInt(3)) & hiMask;
    long lo = (rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(3)) & loMask;
    long lastHi = hi | ~hiMask;
    long lastLo = lo | ~loMask;
    probes.add(v6(hi, lo));
    probes.add(v6(lastHi, lastLo));
    probes.add(lo == 0 ? v6(hi - 1, -1L) : v6(hi, lo - 1)); // wraps below :: to the top: still a valid probe
    probes.add(lastLo == -1L ? v6(lastHi + 1, 0) : v6(lastHi, lastLo + 1));
    return AddressRange.parse(v6(hi, lo) + "/" + prefix);
  }

  private static String v4(long a) {
    return (a >>> 24 & 255) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
  }

  private static String v6(long hi, long lo) {
    StringBuilder s = new StringBuilder();
    for (int g = 0; g < 8; g++) {
      long word = g < 4 ? hi : lo;
      s.append(g > 0 ? ":" : "").append(Long.toHexString(word >>> (48 - 16 * (g & 3)) & 0xffff));
    }
    return s.toString().toLowerCase(Locale.ROOT);
  }
}
