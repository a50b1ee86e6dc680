package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SettlingReadsTest {

  @Test
  void aContentIsSettledOnlyWhenTheNextReadReturnsItAgain() {
    SettlingReads reads = new SettlingReads();
    assertThat(reads.settled(new byte[] {1, 2})).isFalse();
    assertThat(reads.settled(new byte[] {1})).as("caught mid-write: changed again").isFalse();
    assertThat(reads.settled(new byte[] {1})).isTrue();
    assertThat(reads.settled(new byte[] {1})).as("consumed: a new confirmation is needed").isFalse();
    reads.forget();
    assertThat(reads.settled(new byte[] {1})).isFalse();
  }

  @Test
  void severalFilesAreComparedDeeply() {
    SettlingReads reads = new SettlingReads();
    assertThat(reads.settled(new byte[][] {{1}, {2}})).isFalse();
    assertThat(reads.settled(new byte[][] {{1}, {3}})).as("the second file changed").isFalse();
    assertThat(reads.settled(new byte[][] {{1}, {3}})).isTrue();
  }
}
