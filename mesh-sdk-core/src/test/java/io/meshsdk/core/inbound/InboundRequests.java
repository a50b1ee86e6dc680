package io.meshsdk.core.inbound;

import org.jspecify.annotations.Nullable;

/** Requests for guard tests: a GET of {@code /} whose caller the TLS layer authenticated as {@code caller}. */
public final class InboundRequests {

  private InboundRequests() {}

  /** A request from {@code caller} (as a verified certificate identity; {@code null}: none), with a deadline header. */
  public static InboundRequest from(@Nullable String caller, @Nullable String deadlineHeader) {
    return InboundRequest.builder().method("GET").path("/").remoteAddress("127.0.0.1").peerIdentity(caller)
        .deadlineHeader(deadlineHeader).build();
  }
}
