package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteMode;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MigrationStatsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final MigrationStats stats = new MigrationStats(now::get);

  @Test
  void binsCoverEveryValueContiguously() {
    for (int b = 0; b < MigrationStats.BINS - 1; b++) {
      assertThat(MigrationStats.binHigh(b) + 1).isEqualTo(MigrationStats.binLow(b + 1));
      assertThat(MigrationStats.bin(MigrationStats.binLow(b))).isEqualTo(b);
      assertThat(MigrationStats.bin(MigrationStats.binHigh(b))).isEqualTo(b);
    }
    assertThat(MigrationStats.bin(-5)).isZero();
    assertThat(MigrationStats.bin(Long.MAX_VALUE)).isEqualTo(MigrationStats.BINS - 1);
  }

  @Test
  void countsErrorsAndPercentilesByPath() {
    for (int i = 1; i <= 100; i++) {
      stats.record(MigrationStats.DIRECT, i * 10_000L, false); // 10 µs .. 1000 µs
    }
    stats.record(MigrationStats.SIDECAR, 40_000, true);
    stats.record(MigrationStats.SIDECAR, 60_000, false);
    stats.fallback();
    MigrationStats.Snapshot s = stats.snapshot();
    assertThat(s.direct().calls()).isEqualTo(100);
    assertThat(s.direct().errors()).isZero();
    assertThat(s.direct().p50Micros()).isBetween(400L, 600L);
    assertThat(s.direct().p99Micros()).isBetween(850L, 1150L);
    assertThat(s.sidecar().calls()).isEqualTo(2);
    assertThat(s.sidecar().errorRate()).isEqualTo(0.5);
    assertThat(s.fallbacks()).isEqualTo(1);
  }

  @Test
  void theWindowSlidesOneSecondAtATime() {
    stats.record(MigrationStats.SIDECAR, 1000, false);
    now.addAndGet(30_000_000_000L);
    stats.record(MigrationStats.DIRECT, 1000, false);
    assertThat(stats.snapshot().sidecar().calls()).isEqualTo(1);
    now.addAndGet(30_000_000_000L); // the first call is now 60 s old: out of the window
    MigrationStats.Snapshot s = stats.snapshot();
    assertThat(s.sidecar().calls()).isZero();
    assertThat(s.direct().calls()).isEqualTo(1);
    now.addAndGet(30_000_000_000L); // the bucket of the first call is reused: its old counts are gone
    stats.record(MigrationStats.DIRECT, 1000, false);
    s = stats.snapshot();
    assertThat(s.sidecar().calls()).isZero();
    assertThat(s.direct().calls()).isEqualTo(1);
  }

  @Test
  void noCountIsLostWhenBucketsTurnOverUnderConcurrentWriters() throws InterruptedException {
    int threads = 4;
    int perThread = 20_000;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.List<Thread> writers = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int path = t % 2;
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          if (i % 1000 == 0) {
            now.addAndGet(250_000_000L); // the clock moves on while others write: 20 s over the whole run
          }
          stats.record(path, 1000, false);
          stats.fallback();
        }
      });
      writers.add(w);
      w.start();
    }
    go.countDown();
    for (Thread w : writers) {
      w.join();
    }
    MigrationStats.Snapshot s = stats.snapshot();
    assertThat(s.direct().calls() + s.sidecar().calls()).isEqualTo((long) threads * perThread);
    assertThat(s.direct().calls()).isEqualTo((long) threads / 2 * perThread);
    assertThat(s.fallbacks()).isEqualTo((long) threads * perThread);
  }

  @Test
  void theReportRendersSharesAndComparesPaths() {
    MigrationReport report = new MigrationReport("127.0.0.1:15001 host-header", true, 1, 60, java.util.List.of(
        new MigrationReport.Service("inventory", RouteMode.split(10),
            new MigrationReport.PathStats(900, 9, 410, 900), new MigrationReport.PathStats(100, 0, 450, 12_000), 2)));
    assertThat(report.service("inventory").sidecarShare()).isEqualTo(0.1);
    assertThat(report.service("ledger")).isNull();
    assertThat(report.render())
        .contains("READY")
        .containsPattern("inventory\\s+split:10\\s+direct\\s+900\\s+90\\.0%\\s+1\\.00%\\s+410us\\s+900us\\s+2")
        .containsPattern("sidecar\\s+100\\s+10\\.0%\\s+0\\.00%\\s+450us\\s+12\\.0ms");
  }

  @Test
  void aGuardWindowCountsTheLastSecondsAfterTheStepBeganOnly() {
    long step = now.get() + 500_000_000L; // a step began mid-second
    now.set(step);
    stats.record(MigrationStats.SIDECAR, 1_000_000, true); // in the step's own second: not counted
    long[][] scratch = new long[2][MigrationStats.BINS];
    io.meshsdk.core.internal.migration.WindowSums w = new io.meshsdk.core.internal.migration.WindowSums();
    for (int sec = 1; sec <= 10; sec++) {
      now.addAndGet(1_000_000_000L);
      stats.record(MigrationStats.SIDECAR, sec * 1_000_000L, sec % 2 == 0);
      stats.record(MigrationStats.DIRECT, 1_000_000, false);
    }
    stats.window(3, step, scratch, w);
    assertThat(w.seconds).isEqualTo(3);
    assertThat(w.sidecarCalls).as("seconds 8, 9, 10").isEqualTo(3);
    assertThat(w.sidecarErrors).isEqualTo(2);
    assertThat(w.directCalls).isEqualTo(3);
    assertThat(w.sidecarP99Micros).isBetween(9_000L, 11_000L);
    stats.window(60, step, scratch, w);
    assertThat(w.seconds).as("only the seconds after the step's").isEqualTo(10);
    assertThat(w.sidecarCalls).isEqualTo(10);
    assertThat(w.sidecarErrors).isEqualTo(5);
    stats.window(60, now.get(), scratch, w);
    assertThat(w.seconds).isZero();
    assertThat(w.sidecarCalls).isZero();
    assertThat(w.sidecarP99Micros).isZero();
  }
}
