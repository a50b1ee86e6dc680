package io.meshsdk.core.common;

import java.util.Locale;
import java.util.Set;

/**
 * The request headers the mesh owns, defined once. On the way out the mesh sets or removes each of them
 * itself: a value an application put on its request is never forwarded as if the mesh had set it.
 */
public final class MeshHeaders {

  /** Names the calling service; sent when {@code Mesh.Builder.localService} is set, else removed. */
  public static final String CALLER = "x-mesh-caller";
  /** The remaining deadline of the call in whole milliseconds; sent when the call has a deadline. */
  public static final String DEADLINE = "x-mesh-deadline-ms";
  /**
   * How many times the receiver of a call handed to the sidecar may retry it (0 for none): the call's remaining
   * attempt allowance, so the sidecar's retries and the SDK's never add up ({@code route.sidecar-retries}). Sent
   * on hand-offs to the sidecar only; removed from direct attempts.
   */
  public static final String MAX_RETRIES = "x-mesh-max-retries";
  /** The default marker header set to {@code sidecar} on calls handed to the sidecar (configurable). */
  public static final String ROUTE_MARKER = "x-mesh-route";
  /**
   * Set (to {@code true}) on the 503 a draining instance answers instead of serving a request (see
   * {@link io.meshsdk.core.inbound.InboundGuard#drain()}): the request was not run, so a mesh caller sends it to
   * another endpoint whatever its method.
   */
  public static final String DRAINING = "x-mesh-draining";
  /**
   * Set (to {@code 1}) on a shadow copy of a call ({@code route.mode=shadow:N}): the copy sent via the sidecar whose
   * answer the mesh compares and discards, so the sidecar and the backend can tell it from real traffic.
   */
  public static final String SHADOW = "x-mesh-shadow";
  /** The W3C trace context header, read for the split key and to continue a caller's trace. */
  public static final String TRACEPARENT = "traceparent";

  /**
   * Headers that describe the connection or the message framing (RFC 9110 section 7.6.1, RFC 9112), which
   * proxies consume or rewrite: a marker header must never be one of them.
   */
  private static final Set<String> HOP_BY_HOP_OR_FRAMING = Set.of(
      "host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade",
      "proxy-connection", "proxy-authenticate", "proxy-authorization", "expect", "content-encoding",
      "content-type", "content-range", ":authority", ":path", ":method", ":scheme", ":status");

  private MeshHeaders() {}

  /** Whether {@code name} is a hop-by-hop, framing or pseudo header (case-insensitive). */
  public static boolean isHopByHopOrFraming(String name) {
    return HOP_BY_HOP_OR_FRAMING.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Whether {@code name} is a syntactically valid header name (an RFC 9110 token).
   */
  public static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
