package io.meshsdk.core.resilience;

import io.meshsdk.core.common.MeshRejectedException;

/**
 * The bulkhead of the service is full: {@code max-concurrent-calls} calls are in flight; the call failed at once
 * without network I/O. No stack trace (a hot-path rejection).
 */
public final class BulkheadFullException extends MeshRejectedException {

  private static final long serialVersionUID = 1L;

  private final int maxConcurrentCalls;

  /** For {@code service} with {@code maxConcurrentCalls}. */
  public BulkheadFullException(String service, int maxConcurrentCalls) {
    super(service);
    this.maxConcurrentCalls = maxConcurrentCalls;
  }

  @Override
  protected String describe() {
    return "bulkhead of service '" + service() + "' is full (" + maxConcurrentCalls + " concurrent calls)";
  }
}
