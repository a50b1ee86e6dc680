package io.meshsdk.core.inbound;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One inbound request as the {@link InboundGuard} sees it; a web framework adapter builds it from the request:
 *
 * <pre>{@code
 * InboundRequest r = InboundRequest.builder()
 *     .method(req.getMethod())
 *     .path(req.getRequestURI())
 *     .remoteAddress(req.getRemoteAddr())
 *     .peerIdentity(verifiedSpiffeIdOrNull)      // from a client certificate the TLS layer verified
 *     .callerHeader(req.getHeader(guard.callerHeader()))
 *     .deadlineHeader(req.getHeader(Deadlines.HEADER))
 *     .build();
 * }</pre>
 *
 * @param method the HTTP method, as sent
 * @param path the request path without the query string, raw (not percent-decoded)
 * @param remoteAddress the IP address of the peer that connected (the previous hop), or {@code null} if unknown
 * @param peerIdentity the identity of a client certificate the TLS layer verified (a SPIFFE id), or {@code null}
 *     for a plaintext or unauthenticated connection; never a value taken from a header
 * @param callerHeader the value of the caller header ({@link InboundGuard#callerHeader()}), or {@code null}; a
 *     claim, trusted only as {@link InboundGuardConfig} says
 * @param deadlineHeader the value of the deadline header, or {@code null}
 */
public record InboundRequest(
    String method,
    String path,
    @Nullable String remoteAddress,
    @Nullable String peerIdentity,
    @Nullable String callerHeader,
    @Nullable String deadlineHeader) {

  /** Checks the required components. */
  public InboundRequest {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
  }

  /** A builder; method and path are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link InboundRequest}. */
  public static final class Builder {
    private @Nullable String method;
    private @Nullable String path;
    private @Nullable String remoteAddress;
    private @Nullable String peerIdentity;
    private @Nullable String callerHeader;
    private @Nullable String deadlineHeader;

    private Builder() {}

    /** The HTTP method. */
    public Builder method(String method) {
      this.method = requireNonNull(method, "method");
      return this;
    }

    /** The raw request path, without the query string. */
    public Builder path(String path) {
      this.path = requireNonNull(path, "path");
      return this;
    }

    /** The peer's IP address, or {@code null}. */
    public Builder remoteAddress(@Nullable String address) {
      this.remoteAddress = address;
      return this;
    }

    /** The verified client-certificate identity, or {@code null}. */
    public Builder peerIdentity(@Nullable String identity) {
      this.peerIdentity = identity;
      return this;
    }

    /** The caller header's value, or {@code null}. */
    public Builder callerHeader(@Nullable String value) {
      this.callerHeader = value;
      return this;
    }

    /** The deadline header's value, or {@code null}. */
    public Builder deadlineHeader(@Nullable String value) {
      this.deadlineHeader = value;
      return this;
    }

    /**
     * The request.
     *
     * @throws NullPointerException when method or path was not set
     */
    public InboundRequest build() {
      return new InboundRequest(requireNonNull(method, "method is required"), requireNonNull(path,
          "path is required"), remoteAddress, peerIdentity, callerHeader, deadlineHeader);
    }
  }
}
