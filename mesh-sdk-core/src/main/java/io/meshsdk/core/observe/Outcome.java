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
  REJECTED;

  private final String tag = name().toLowerCase(java.util.Locale.ROOT);

  /** Lower-case name for tags: {@code success}, {@code server_error}... */
  public String tag() {
    return tag;
  }

  /** Whether this outcome counts against the endpoint's health. */
  public boolean isEndpointFailure() {
    return this == SERVER_ERROR || this == CONNECT_ERROR || this == TIMEOUT || this == IO_ERROR;
  }
}
