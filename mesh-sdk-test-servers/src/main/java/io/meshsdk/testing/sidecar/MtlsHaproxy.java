package io.meshsdk.testing.sidecar;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real HAProxy terminating mutual TLS in front of one backend, as an Istio-less edge or an HAProxy sidecar's
 * inbound listener would: {@code bind ... ssl crt <chain+key> ca-file <bundle> verify required}. A client without
 * a certificate issued by a CA in the bundle is refused during the handshake. The backend sees
 * {@code x-client-verify} (HAProxy's {@code ssl_c_verify}: 0 when verified) and {@code x-client-subject}.
 * Readiness is answered on a separate plaintext port ({@link #readyUrl()}); start, kill, restart and hot reload
 * work as for {@link LocalSidecar#haproxy()}.
 */
public final class MtlsHaproxy extends HaproxySidecar {

  private final String backend;
  private final Path certificateAndKey;
  private final Path trustBundle;
  private int tlsPort;

  private MtlsHaproxy(String backend, Path certificateAndKey, Path trustBundle) {
    this.backend = backend;
    this.certificateAndKey = certificateAndKey;
    this.trustBundle = trustBundle;
  }

  /**
   * An HAProxy (not started) that accepts mutual TLS and forwards to {@code backend}.
   *
   * @param backend {@code host:port} of the plaintext backend
   * @param certificateAndKey one PEM file: the server's chain, then its private key (HAProxy's {@code crt})
   * @param trustBundle PEM CA certificates that client certificates must chain to
   */
  public static MtlsHaproxy inFrontOf(String backend, Path certificateAndKey, Path trustBundle) {
    return new MtlsHaproxy(requireNonNull(backend, "backend"), requireNonNull(certificateAndKey,
        "certificateAndKey"), requireNonNull(trustBundle, "trustBundle"));
  }

  /** The mutual-TLS listener's port on 127.0.0.1 (valid once started). */
  public int tlsPort() {
    return tlsPort;
  }

  @Override
  String config(Path runDir, int port, Map<String, List<String>> routes) {
    if (tlsPort == 0) {
      tlsPort = freePort();
    }
    return "global\n  maxconn 1024\n\n"
        + "defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n  retries 0\n\n"
        + "frontend monitor\n  bind 127.0.0.1:" + port + "\n  monitor-uri " + READY_PATH + "\n\n"
        + "frontend mtls\n  bind 127.0.0.1:" + tlsPort + " ssl crt " + certificateAndKey + " ca-file " + trustBundle
        + " verify required\n"
        + "  http-request set-header x-client-verify %[ssl_c_verify]\n"
        + "  http-request set-header x-client-subject %{+Q}[ssl_c_s_dn]\n"
        + "  http-response set-header " + VIA_HEADER + " haproxy\n"
        + "  default_backend app\n\n"
        + "backend app\n  server s0 " + backend + "\n";
  }
}
