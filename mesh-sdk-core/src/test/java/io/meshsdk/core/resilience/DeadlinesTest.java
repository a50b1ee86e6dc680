package io.meshsdk.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

  @Test
  void parsesWholeMillisAndIgnoresMalformedValues() {
    assertThat(Deadlines.parseMillis("150")).isEqualTo(150);
    assertThat(Deadlines.parseMillis("0")).isZero();
    assertThat(Deadlines.parseMillis(null)).isEqualTo(-1);
    assertThat(Deadlines.parseMillis("")).isEqualTo(-1);
    assertThat(Deadlines.parseMillis("-5")).isEqualTo(-1);
    assertThat(Deadlines.parseMillis("1.5")).isEqualTo(-1);
    assertThat(Deadlines.parseMillis("9999999999999999999")).isEqualTo(-1);
  }

  @Test
  void scopesNestKeepTheEarlierDeadlineAndRestore() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    assertThat(Deadlines.current()).isEqualTo(Deadlines.NONE);
    try (Deadlines.Scope outer = Deadlines.withRemaining(100, now::get)) {
      assertThat(Deadlines.current()).isEqualTo(1_100_000_000L);
      try (Deadlines.Scope inner = Deadlines.withRemaining(500, now::get)) {
        assertThat(Deadlines.current()).isEqualTo(1_100_000_000L); // the caller's tighter deadline wins
      }
      try (Deadlines.Scope inner = Deadlines.withRemaining(20, now::get)) {
        assertThat(Deadlines.current()).isEqualTo(1_020_000_000L);
      }
      assertThat(Deadlines.current()).isEqualTo(1_100_000_000L);
    }
    assertThat(Deadlines.current()).isEqualTo(Deadlines.NONE);
  }
}
