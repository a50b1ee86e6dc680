package io.meshsdk.core.internal.engine;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.concurrent.DeadlineWatchdog;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The state of one logical call while the {@link CallExecutor} runs it: the {@link PickContext} the pickers see,
 * the attempt being sent, what admission holds, the deadline's watch, and, once a response is returned, the
 * {@link BodyCompletion} that finishes the call's accounting when its body is read (or fails). One object per call
 * (plus one {@link Attempt}); used on the caller's thread, except the body completion, which runs on whatever
 * thread reads the body, once.
 */
final class CallState<R> implements PickContext, BodyCompletion {

  final CallExecutor executor;
  final ServicePipeline pipeline;
  final TransportCall<R> call;
  final String method;
  final long start;
  final Attempt attempt;
  CallObserver obs = CallObserver.NOOP;
  long deadline = Deadlines.NONE;
  DeadlineWatchdog.@Nullable Watch watch;
  int held;
  int attempts;
  int directAttempts;
  int attemptIndex;
  Route route = Route.DIRECT;
  boolean fellBack;
  /** -1: not decided yet; 0: the body cannot be sent again; 1: it can (or there is none). */
  int replayable = -1;
  private long now;
  private @Nullable TrackedEndpoint tried0;
  private TrackedEndpoint @Nullable [] triedMore;
  private int triedMoreCount;
  // the returned response, finished by the body completion
  @Nullable TrackedEndpoint finalEndpoint;
  @Nullable AttemptInfo finalInfo;
  long finalAttemptStart;
  Outcome outcome = Outcome.REJECTED;
  int status = -1;
  private final AtomicBoolean ended = new AtomicBoolean();

  CallState(CallExecutor executor, ServicePipeline pipeline, TransportCall<R> call, long start) {
    this.executor = executor;
    this.pipeline = pipeline;
    this.call = call;
    this.method = call.method();
    this.start = start;
    this.now = start;
    this.attempt = new Attempt(call, call.url());
  }

  /** Marks the call ended; true only for the first caller (the accounting runs once). */
  boolean end() {
    return ended.compareAndSet(false, true);
  }

  boolean ended() {
    return ended.get();
  }

  /** Whether the deadline watchdog cut the call. */
  boolean deadlineFired() {
    DeadlineWatchdog.Watch w = watch;
    return w != null && w.fired();
  }

  // ---- PickContext ----

  void at(long nowNanos) {
    this.now = nowNanos;
  }

  @Override
  public long nowNanos() {
    return now;
  }

  @Override
  public @Nullable String header(String name) {
    return call.header(name);
  }

  @Override
  public int attempt() {
    return attemptIndex;
  }

  void markTried(TrackedEndpoint endpoint) {
    if (tried0 == null) {
      tried0 = endpoint;
      return;
    }
    if (triedMore == null) {
      triedMore = new TrackedEndpoint[4];
    } else if (triedMoreCount == triedMore.length) {
      triedMore = Arrays.copyOf(triedMore, triedMoreCount * 2);
    }
    triedMore[triedMoreCount++] = endpoint;
  }

  @Override
  public boolean alreadyTried(EndpointState endpoint) {
    if (tried0 == endpoint) {
      return true;
    }
    TrackedEndpoint[] more = triedMore;
    for (int i = 0; i < triedMoreCount; i++) {
      if (more != null && more[i] == endpoint) {
        return true;
      }
    }
    return false;
  }

  // ---- BodyCompletion ----

  @Override
  public void bodyComplete() {
    executor.bodyComplete(this);
  }

  @Override
  public IOException bodyFailed(IOException e) {
    return executor.bodyFailed(this, e);
  }
}
