package io.meshsdk.core.observe;

/** How an attempt or a call ended, as the mesh classifies it. */
public enum Outcome {
  /** A response with status below 400. */
  SUCCESS,
  /** A 4xx response: the caller's problem, so it does not count against the endpoint. */
  CLIENT_ERROR,
  /** A 5xx response. */
  SERVER_ERROR,
  /** The connection could not be made: the request never left. */
  CONNECT_ERROR,
  /** The attempt or the call ran out of time. */
  TIMEOUT,
  /** Another I/O failure after the request may have been sent (reset, truncated response...). */
  IO_ERROR,
  /** The mesh itself refused the call (breaker open, rate limited, bulkhead full, no endpoint...). */
  REJECTED,
  /** The caller cancelled the call or interrupted its thread: says nothing about the endpoint, never retried. */
  CANCELLED;

  private final String tag = name().toLowerCase(java.util.Locale.ROOT);

  /** Lower-case name for tags: {@code success}, {@code server_error}... */
  public String tag() {
    return tag;
  }

  /** The outcome of a response with {@code status}. */
  public static Outcome ofStatus(int status) {
    if (status >= 500) {
      return SERVER_ERROR;
    }
    return status >= 400 ? CLIENT_ERROR : SUCCESS;
  }

  /**
   * The outcome of an attempt that failed with {@code e}; {@code canceled} when the call was cancelled.
   * OkHttp reports a thread interrupt as {@code InterruptedIOException("interrupted")} and its call timeout
   * as {@code InterruptedIOException("timeout")}; a socket timeout is a {@code SocketTimeoutException}.
   */
  public static Outcome ofFailure(Throwable e, boolean canceled) {
    if (canceled) {
      return CANCELLED;
    }
    if (e instanceof java.net.ConnectException
        || e instanceof java.net.NoRouteToHostException
        || e instanceof java.net.UnknownHostException) {
      return CONNECT_ERROR;
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return TIMEOUT;
    }
    if (e instanceof java.io.InterruptedIOException) {
      return "timeout".equals(e.getMessage()) ? TIMEOUT : CANCELLED;
    }
    return IO_ERROR;
  }

  /** Whether this outcome counts against the endpoint's health. */
  public boolean isEndpointFailure() {
    return this == SERVER_ERROR || this == CONNECT_ERROR || this == TIMEOUT || this == IO_ERROR;
  }
}
