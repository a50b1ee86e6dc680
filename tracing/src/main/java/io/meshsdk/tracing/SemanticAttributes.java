package io.meshsdk.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** Attribute keys: OpenTelemetry HTTP semantic conventions plus the mesh's own {@code mesh.*}. */
public final class SemanticAttributes {

  /** HTTP method, e.g. {@code GET}. */
  public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  /** HTTP status code of the response. */
  public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");
  /** Ordinal of a resent request: 1 for the first retry. Absent on the first attempt. */
  public static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
  /** Host of the endpoint (or sidecar) the attempt went to. */
  public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  /** Port of the endpoint (or sidecar) the attempt went to. */
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  /** Full URL with credentials and signature query values redacted. */
  public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  /** Path of an inbound request. */
  public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  /** Matched route template of an inbound request, when the server knows it. */
  public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  /** Class of error: the status code, an exception class name or a mesh rejection reason. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** The mesh service called. */
  public static final AttributeKey<String> MESH_SERVICE = AttributeKey.stringKey("mesh.service");
  /** {@code direct} or {@code sidecar}. */
  public static final AttributeKey<String> MESH_ROUTE = AttributeKey.stringKey("mesh.route");
  /** Id of the picked endpoint. */
  public static final AttributeKey<String> MESH_ENDPOINT_ID = AttributeKey.stringKey("mesh.endpoint.id");
  /** Attempts made by a call the mesh rejected (0): on its INTERNAL span, the only span such a call has. */
  public static final AttributeKey<Long> MESH_ATTEMPTS = AttributeKey.longKey("mesh.attempts");
  /** Free text that comes with a mesh event (why a retry, which breaker...). */
  public static final AttributeKey<String> MESH_DETAIL = AttributeKey.stringKey("mesh.detail");
  /**
   * Who called, as the inbound guard established it (server spans): a SPIFFE id from a verified client
   * certificate, a caller name a trusted hop forwarded, or {@code anonymous}; never a header taken on trust.
   */
  public static final AttributeKey<String> MESH_CALLER = AttributeKey.stringKey("mesh.caller");
  /** How {@link #MESH_CALLER} was established: {@code certificate}, {@code trusted_hop}, {@code plaintext_header}, {@code none}. */
  public static final AttributeKey<String> MESH_CALLER_SOURCE = AttributeKey.stringKey("mesh.caller.source");

  private SemanticAttributes() {}
}
