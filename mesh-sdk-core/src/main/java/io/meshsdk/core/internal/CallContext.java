package io.meshsdk.core.internal;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.loadbalancer.PickContext;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/** Per-call state of the attempt loop; the {@link PickContext} the pickers see. One small object per call. */
final class CallContext implements PickContext {

  private final Request request;
  private int attempt;
  private @Nullable EndpointState tried0;
  private EndpointState @Nullable [] triedMore;
  private int triedMoreCount;
  private long now;

  CallContext(Request request) {
    this.request = request;
  }

  Request request() {
    return request;
  }

  @Override
  public @Nullable String header(String name) {
    return request.header(name);
  }

  /** Sets the time of the coming pick: the ticker time the attempt loop read anyway. */
  void at(long nowNanos) {
    this.now = nowNanos;
  }

  @Override
  public long nowNanos() {
    return now;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  void nextAttempt() {
    attempt++;
  }

  void markTried(EndpointState endpoint) {
    if (tried0 == null) {
      tried0 = endpoint;
      return;
    }
    if (triedMore == null) {
      triedMore = new EndpointState[4];
    } else if (triedMoreCount == triedMore.length) {
      triedMore = java.util.Arrays.copyOf(triedMore, triedMoreCount * 2);
    }
    triedMore[triedMoreCount++] = endpoint;
  }

  @Override
  public boolean alreadyTried(EndpointState endpoint) {
    if (tried0 == endpoint) {
      return true;
    }
    EndpointState[] more = triedMore;
    for (int i = 0; i < triedMoreCount; i++) {
      if (more[i] == endpoint) {
        return true;
      }
    }
    return false;
  }
}
