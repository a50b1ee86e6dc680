package io.meshsdk.core.internal.engine;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.concurrent.DeadlineWatchdog;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The state of one logical call while the {@link CallExecutor} runs it: the {@link PickContext} the pickers see,
 * the attempt being sent, what admission holds, the deadline's watch, and, once a response is returned, the
 * {@link BodyCompletion} that finishes the call's accounting when its body is read (or fails). It is also the attempt
 * being sent ({@link AttemptRequest}: target URL, {@code Host} override, timeout, and the headers the mesh and its
 * observers, through {@link OutboundHeaders}, set or remove; reading a header answers from what was set here, else
 * from the application's request). One object per call, used on the caller's thread, except the body completion,
 * which runs on whatever thread reads the body, once.
 */
final class CallState<R> implements PickContext, BodyCompletion, AttemptRequest, OutboundHeaders {

  @SuppressWarnings("rawtypes") // the updater of a generic class is declared on its raw type
  private static final AtomicIntegerFieldUpdater<CallState> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(CallState.class, "ended");

  final CallExecutor executor;
  final ServicePipeline pipeline;
  final TransportCall<R> call;
  final String method;
  final long start;
  CallObserver obs = CallObserver.NOOP;
  long deadline = Deadlines.NONE;
  DeadlineWatchdog.@Nullable Watch watch;
  int held;
  // at most retry.max-attempts (10) plus a sidecar attempt: shorts keep the one object per call small
  short attempts;
  short directAttempts;
  short attemptIndex;
  Route route = Route.DIRECT;
  /** The service's route when the call started (null: never migrating); the call keeps it to the end. */
  @Nullable CompiledRoute compiled;
  boolean fellBack;
  /** The shadow copy of this call ({@code shadow:N}), told the direct answer when the call ends; else null. */
  ShadowTraffic.@Nullable Copy shadow;
  /**
   * -1: not decided yet; 0: the body cannot be sent again; 1: it can (or there is none). A byte, so that the
   * {@link #shadow} reference fits in the object's 160 bytes.
   */
  byte replayable = -1;
  private long now;
  private @Nullable TrackedEndpoint tried0;
  private TrackedEndpoint @Nullable [] triedMore;
  private short triedMoreCount;
  // the returned response, finished by the body completion
  @Nullable TrackedEndpoint finalEndpoint;
  @Nullable AttemptInfo finalInfo; // the returned response's attempt started at nowNanos()
  /** While the transport wraps the returned response: when its headers came (ticker); 0 otherwise. */
  long headersAt;
  Outcome outcome = Outcome.REJECTED;
  int status = -1;
  @SuppressWarnings("UnusedVariable") // read and written through ENDED
  private volatile int ended; // ENDED_NO, maybe ENDED_HANDED_OUT, then ENDED_YES once
  private static final int ENDED_NO = 0;
  private static final int ENDED_YES = 1;
  private static final int ENDED_HANDED_OUT = 2;

  // ---- the attempt being sent (AttemptRequest, OutboundHeaders): reset for each attempt ----
  private static final String[] NONE = new String[0];
  private HttpUrl url;
  private @Nullable String hostHeader;
  private long timeoutNanos;
  // grown on first use: most calls add no header at all
  private String[] names = NONE;
  private String[] values = NONE;
  private int count;
  private String[] removed = NONE;
  private int removedCount;

  CallState(CallExecutor executor, ServicePipeline pipeline, TransportCall<R> call, long start) {
    this.executor = executor;
    this.pipeline = pipeline;
    this.call = call;
    this.method = call.method();
    this.start = start;
    this.now = start;
    this.url = call.url();
  }

  /** Marks the call ended; true only for the first caller (the accounting runs once). */
  boolean end() {
    return ENDED.getAndSet(this, ENDED_YES) != ENDED_YES;
  }

  /**
   * Marks the response handed to the caller, unless the call ended already (a body known to be empty ends inside
   * the transport's tracking): from here on, the deadline may end the call itself, as nobody may ever read or
   * close that body. Only on the caller's thread, before the response leaves the engine: nothing else can change
   * the mark meanwhile.
   */
  void handedOut() {
    if (ended == ENDED_NO) {
      ENDED.lazySet(this, ENDED_HANDED_OUT);
    }
  }

  /** Whether the response is with the caller and the call has not ended. */
  boolean isHandedOut() {
    return ended == ENDED_HANDED_OUT;
  }

  /**
   * Marks the call ended without a race to settle: only while the transport wraps the returned response (the
   * response has not reached anyone who could end the call on another thread).
   */
  void endUncontended() {
    ENDED.lazySet(this, ENDED_YES);
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

  // ---- AttemptRequest, OutboundHeaders ----

  /** Starts a new attempt to {@code url} ({@code endpoint} null for the sidecar). */
  void resetAttempt(HttpUrl url, @Nullable String hostHeader, long timeoutNanos) {
    this.url = url;
    this.hostHeader = hostHeader;
    this.timeoutNanos = timeoutNanos;
    this.count = 0;
    this.removedCount = 0;
  }

  @Override
  public HttpUrl url() {
    return url;
  }

  @Override
  public @Nullable String hostHeader() {
    return hostHeader;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public int headerCount() {
    return count;
  }

  @Override
  public String headerName(int i) {
    return names[i];
  }

  @Override
  public String headerValue(int i) {
    return values[i];
  }

  @Override
  public int removedCount() {
    return removedCount;
  }

  @Override
  public String removedName(int i) {
    return removed[i];
  }

  /** Removes {@code name} from the attempt (a mesh-owned header the application set). */
  void remove(String name) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        System.arraycopy(names, i + 1, names, i, count - i - 1);
        System.arraycopy(values, i + 1, values, i, count - i - 1);
        count--;
        break;
      }
    }
    if (removedCount == removed.length) {
      removed = Arrays.copyOf(removed, Math.max(4, removedCount * 2));
    }
    removed[removedCount++] = name;
  }

  @Override
  public @Nullable String get(String name) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        return values[i];
      }
    }
    for (int i = 0; i < removedCount; i++) {
      if (removed[i].equalsIgnoreCase(name)) {
        return null;
      }
    }
    return call.header(name);
  }

  @Override
  public void set(String name, String value) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        values[i] = value;
        return;
      }
    }
    if (count == names.length) {
      names = Arrays.copyOf(names, Math.max(4, count * 2));
      values = Arrays.copyOf(values, Math.max(4, count * 2));
    }
    names[count] = name;
    values[count] = value;
    count++;
  }
}
