package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SmoothSequenceTest {

  @Test
  void sevenTwoOneIsExactAndSmooth() {
    int[] seq = SmoothSequence.build(new long[] {1, 2, 7}, 1 << 16);
    // A=0 (1), B=1 (2), C=2 (7): the nginx smooth-WRR shape, C never more than 3 times in a row.
    assertThat(seq).containsExactly(2, 1, 2, 2, 0, 2, 2, 1, 2, 2);
  }

  @Test
  void weightsAreReducedByTheirGcd() {
    assertThat(SmoothSequence.build(new long[] {100, 200, 700}, 1 << 16)).hasSize(10);
    assertThat(SmoothSequence.build(new long[] {3, 3}, 1 << 16)).containsExactly(0, 1);
  }

  @Test
  void equalWeightsInterleaveEvenAmongHeavierOnes() {
    // One heavy endpoint and 100 light ones: the light ones must not clump into one long burst that
    // starves the heavy one.
    long[] w = new long[101];
    Arrays.fill(w, 1);
    w[0] = 100;
    int[] seq = SmoothSequence.build(w, 1 << 16);
    assertThat(seq).hasSize(200);
    assertThat(maxGap(seq, 0)).isLessThanOrEqualTo(3);
    assertThat(count(seq, 0)).isEqualTo(100);
  }

  @Test
  void hugeSumsAreScaledToTheCapKeepingEveryItem() {
    long[] w = {1_000_000, 999_999, 1, 3};
    int[] seq = SmoothSequence.build(w, 1000);
    assertThat(seq.length).isLessThanOrEqualTo(1000);
    for (int i = 0; i < w.length; i++) {
      assertThat(count(seq, i)).as("item %d", i).isGreaterThanOrEqualTo(1);
    }
    assertThat((double) count(seq, 0) / count(seq, 1)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
  }

  static int count(int[] seq, int item) {
    int c = 0;
    for (int x : seq) {
      if (x == item) {
        c++;
      }
    }
    return c;
  }

  /** The longest cyclic distance between two consecutive appearances of {@code item}. */
  static int maxGap(int[] seq, int item) {
    int first = -1;
    int last = -1;
    int max = 0;
    for (int i = 0; i < seq.length; i++) {
      if (seq[i] == item) {
        if (last >= 0) {
          max = Math.max(max, i - last);
        } else {
          first = i;
        }
        last = i;
      }
    }
    return Math.max(max, first + seq.length - last);
  }
}
