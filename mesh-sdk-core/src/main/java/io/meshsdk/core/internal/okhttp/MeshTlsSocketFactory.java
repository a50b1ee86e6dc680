package io.meshsdk.core.internal.okhttp;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.TlsIdentities;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS socket factory of the mesh's OkHttp clients: a connection to an endpoint of a {@code tls.mode=mtls}
 * service (by {@code host:port}, {@link TlsIdentities#mtlsExpectation}) is made with the workload's client context
 * (presents the workload certificate, verifies the server's chain against the trust bundle and its SPIFFE id against
 * the service's expectation); every other TLS connection is made exactly as the application's base client makes it,
 * and never presents the workload certificate. Decided once per connection, never per call.
 */
public final class MeshTlsSocketFactory extends SSLSocketFactory {

  private final SSLSocketFactory base;
  private final SSLContext mesh;
  private final TlsIdentities identities;

  /** A factory choosing between {@code mesh} (mtls endpoints) and {@code base} (everything else). */
  public MeshTlsSocketFactory(SSLSocketFactory base, SSLContext mesh, TlsIdentities identities) {
    this.base = requireNonNull(base, "base");
    this.mesh = requireNonNull(mesh, "mesh");
    this.identities = requireNonNull(identities, "identities");
  }

  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
    if (identities.mtlsExpectation(host, port) != null) {
      return mesh.getSocketFactory().createSocket(socket, host, port, autoClose);
    }
    return base.createSocket(socket, host, port, autoClose);
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return base.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return base.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return base.createSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return base.createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return base.createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return base.createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return base.createSocket(address, port, localAddress, localPort);
  }
}
