package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingTest {

  @Test
  void xxh64MatchesTheReferenceImplementation() {
    // Reference values from the xxHash library (python-xxhash 3.2.0).
    assertThat(Hashing.xxh64("", 0)).isEqualTo(0xef46db3751d8e999L);
    assertThat(Hashing.xxh64("a", 0)).isEqualTo(0xd24ec4f1a98c6e5bL);
    assertThat(Hashing.xxh64("abc", 0)).isEqualTo(0x44bc2cf5ad770999L);
    assertThat(Hashing.xxh64("user-12345", 0)).isEqualTo(0x64797fca50bfc10cL);
    assertThat(Hashing.xxh64("Nobody inspects the spammish repetition", 0)).isEqualTo(0xfbcea83c8a378bf1L);
    assertThat(Hashing.xxh64("x".repeat(100), 0)).isEqualTo(0x92f0de5a88a3c094L);
    assertThat(Hashing.xxh64("", 7)).isEqualTo(0x95f0626f6f0a4409L);
    assertThat(Hashing.xxh64("abc", 7)).isEqualTo(0x9e755206156676d7L);
    assertThat(Hashing.xxh64("x".repeat(100), 7)).isEqualTo(0xae5ad321e4fe6127L);
  }

  @Test
  void nonAsciiStringsHashTheirUtf8Bytes() {
    String s = "héllo wörld ✓ 0123456789abcdefghijklmnopqrstuvwxyz";
    assertThat(Hashing.xxh64(s, 0)).isEqualTo(0xd372ba08d5efb10aL);
    assertThat(Hashing.xxh64(s, 7)).isEqualTo(0x2e241b9085a16139L);
    assertThat(Hashing.xxh64(s.getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0xd372ba08d5efb10aL);
  }

  @Test
  void asciiStringAndItsBytesHashAlike() {
    for (int len = 0; len < 80; len++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append((char) ('!' + (i * 7) % 90));
      }
      String s = sb.toString();
      assertThat(Hashing.xxh64(s, 42)).isEqualTo(Hashing.xxh64(s.getBytes(StandardCharsets.US_ASCII), 42));
    }
  }

  @Test
  void seededRandomIsReproducibleAndInRange() {
    RandomSource a = RandomSource.seeded(1);
    RandomSource b = RandomSource.seeded(1);
    for (int i = 0; i < 1000; i++) {
      int x = a.nextInt(7);
      assertThat(x).isEqualTo(b.nextInt(7)).isBetween(0, 6);
    }
    assertThat(RandomSource.seeded(2).nextInt(Integer.MAX_VALUE)).isNotEqualTo(RandomSource.seeded(3).nextInt(
        Integer.MAX_VALUE));
  }
}
