package io.meshsdk.core.resilience;

import io.meshsdk.core.common.MeshRejectedException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: hot-path rejections still fill in a stack trace ({@code MeshException} clears it only after
 * {@code fillInStackTrace} ran). Measured without timers: the bytes the current thread allocates
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}) while constructing 1,000 exceptions
 * at a stack depth of 60 frames (a fresh thread recursing down to that depth). A filled stack trace allocates
 * its backtrace (well over a KiB at that depth); an exception without one costs its object and its message
 * (about 200 bytes).
 *
 * <ul>
 *   <li>{@link #circuitOpenExceptionFillsNoStackTrace}: {@code CircuitOpenException} under 300 bytes each.
 *   <li>{@link #rateLimitedExceptionFillsNoStackTrace}: {@code RateLimitedException} under 300 bytes each.
 *   <li>{@link #bulkheadFullExceptionFillsNoStackTrace}: {@code BulkheadFullException} under 300 bytes each.
 *   <li>{@link #deadlineExceededExceptionFillsNoStackTrace}: {@code DeadlineExceededException} under 300 bytes
 *       each.
 *   <li>{@link #aRejectionAllocatesOnlyItsObjectUntilItsMessageIsRead}: the breaker, limiter and bulkhead rejections
 *       compose their message on first read: under {@value #MAX_BYTES_WITHOUT_MESSAGE} bytes each (the object), and
 *       the message read later is the full one.
 *   <li>{@link #controlAFilledStackTraceCostsMoreThanTheBound}: control (passed before the fix too): a plain
 *       {@code IOException} at the same depth costs more than the bound, so the measurement can tell.
 *   <li>{@link #controlAnExceptionWithoutStackTraceFitsTheBound}: control (passed before the fix too): an exception whose
 *       {@code fillInStackTrace} does nothing, with a message as long, fits the bound.
 * </ul>
 */
class RejectionCostTest {

  private static final int COUNT = 1_000;
  private static final int DEPTH = 60;
  private static final long MAX_BYTES_PER_EXCEPTION = 300;
  /** An exception object with a few fields and no message string (a message alone is over 100 bytes). */
  private static final long MAX_BYTES_WITHOUT_MESSAGE = 80;
  private static final Duration PERIOD = Duration.ofSeconds(1);

  private static com.sun.management.ThreadMXBean threads;

  @BeforeAll
  static void enableAllocationCounting() {
    threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(threads.isThreadAllocatedMemorySupported()).as("per-thread allocation counter supported").isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
  }

  /** Result of one measurement: bytes per exception and the stack depth they were built at. */
  private record Cost(long bytesPerException, int stackDepth) {}

  /**
   * Builds {@code COUNT} exceptions at a stack depth of {@value #DEPTH} frames (on a fresh thread, recursing down
   * to that depth) after a warm-up round; the bytes that thread allocated per exception.
   */
  private static Cost cost(Supplier<? extends Exception> make) throws Exception {
    AtomicReference<Cost> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        Exception[] keep = new Exception[COUNT]; // keeps every exception reachable: nothing is optimized away
        int base = depth();
        measureAt(DEPTH - base, make, keep); // warm-up: class init, string-concat bootstrap, JIT
        result.set(measureAt(DEPTH - base, make, keep));
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "test-rejection-cost");
    t.start();
    t.join(TimeUnit.MINUTES.toMillis(2));
    if (failure.get() != null) {
      throw new AssertionError("measurement failed", failure.get());
    }
    assertThat(result.get()).as("measurement finished").isNotNull();
    return result.get();
  }

  private static int depth() {
    return StackWalker.getInstance().walk(s -> (int) s.count());
  }

  private static Cost measureAt(int levels, Supplier<? extends Exception> make, Exception[] keep) {
    if (levels > 0) {
      return measureAt(levels - 1, make, keep); // the JVM keeps every frame (no tail calls)
    }
    int stackDepth = depth();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < COUNT; i++) {
      keep[i] = make.get();
    }
    long after = threads.getCurrentThreadAllocatedBytes();
    return new Cost((after - before) / COUNT, stackDepth);
  }

  private static void assertCheap(String name, Supplier<? extends Exception> make) throws Exception {
    Cost c = cost(make);
    assertThat(c.bytesPerException())
        .as("bytes allocated per %s at stack depth %d (a filled stack trace costs well over a KiB)", name,
            c.stackDepth())
        .isLessThan(MAX_BYTES_PER_EXCEPTION);
  }

  @Test
  void circuitOpenExceptionFillsNoStackTrace() throws Exception {
    assertCheap("CircuitOpenException", () -> new CircuitOpenException("inventory", "OPEN"));
  }

  @Test
  void rateLimitedExceptionFillsNoStackTrace() throws Exception {
    assertCheap("RateLimitedException", () -> new RateLimitedException("inventory", 100, PERIOD));
  }

  @Test
  void bulkheadFullExceptionFillsNoStackTrace() throws Exception {
    assertCheap("BulkheadFullException", () -> new BulkheadFullException("inventory", 10));
  }

  @Test
  void deadlineExceededExceptionFillsNoStackTrace() throws Exception {
    assertCheap("DeadlineExceededException",
        () -> new DeadlineExceededException("inventory", "no time left for attempt 2 (over by 3 ms)"));
  }

  @Test
  void aRejectionAllocatesOnlyItsObjectUntilItsMessageIsRead() throws Exception {
    Map<String, Supplier<? extends MeshRejectedException>> rejections = new LinkedHashMap<>();
    rejections.put("circuit breaker of service 'inventory' is OPEN and does not permit further calls",
        () -> new CircuitOpenException("inventory", "OPEN"));
    rejections.put("outbound rate limit of service 'inventory' reached (100 per 1000 ms)",
        () -> new RateLimitedException("inventory", 100, PERIOD));
    rejections.put("bulkhead of service 'inventory' is full (10 concurrent calls)",
        () -> new BulkheadFullException("inventory", 10));
    for (Map.Entry<String, Supplier<? extends MeshRejectedException>> e : rejections.entrySet()) {
      Cost c = cost(e.getValue());
      assertThat(c.bytesPerException())
          .as("bytes per rejection before its message is read: %s", e.getKey())
          .isLessThan(MAX_BYTES_WITHOUT_MESSAGE);
      MeshRejectedException r = e.getValue().get();
      assertThat(r.getMessage()).isEqualTo(e.getKey());
      assertThat(r).hasToString(r.getClass().getName() + ": " + e.getKey());
    }
    assertThat(new DeadlineExceededException("inventory", "no time left").getMessage())
        .isEqualTo("deadline of call to service 'inventory' exceeded: no time left");
    Cost deadline = cost(() -> new DeadlineExceededException("inventory", "no time left before the first attempt", 3));
    assertThat(deadline.bytesPerException()).as("bytes per deadline rejection before its message is read")
        .isLessThan(MAX_BYTES_WITHOUT_MESSAGE);
    assertThat(new DeadlineExceededException("inventory", "no time left before the first attempt", 3).getMessage())
        .isEqualTo("deadline of call to service 'inventory' exceeded: no time left before the first attempt"
            + " (over by 3 ms)");
  }

  @Test
  void controlAFilledStackTraceCostsMoreThanTheBound() throws Exception {
    Cost c = cost(() -> new IOException("deadline of call to service 'inventory' exceeded"));
    assertThat(c.bytesPerException())
        .as("bytes per IOException (stack trace filled) at stack depth %d", c.stackDepth())
        .isGreaterThan(MAX_BYTES_PER_EXCEPTION);
  }

  /** An exception that never fills in its stack trace, with a message of a rejection's length. */
  private static final class Stackless extends IOException {
    private static final long serialVersionUID = 1L;

    Stackless(String service) {
      super("deadline of call to service '" + service + "' exceeded: no time left for attempt 2 (over by 3 ms)");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  @Test
  void controlAnExceptionWithoutStackTraceFitsTheBound() throws Exception {
    Cost c = cost(() -> new Stackless("inventory"));
    assertThat(c.bytesPerException())
        .as("bytes per exception without a stack trace at stack depth %d", c.stackDepth())
        .isLessThan(MAX_BYTES_PER_EXCEPTION);
  }
}
