package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.function.Predicate;

/**
 * The proxy hand-off of the {@code http-proxy} style: the sidecar, as a forward proxy, for the hosts of calls the
 * mesh hands to it; {@code delegate}'s choice for everything else. Direct calls are rewritten to endpoint
 * addresses before a selector sees them, so they never match.
 */
public final class SidecarProxySelector extends ProxySelector {

  private final ProxySelector delegate;
  private final Predicate<String> viaSidecar;
  private final Proxy proxy;

  /**
   * A selector for {@code sidecar}.
   *
   * @param viaSidecar whether a request host is one the mesh hands to the sidecar
   */
  public SidecarProxySelector(SidecarConfig sidecar, ProxySelector delegate, Predicate<String> viaSidecar) {
    requireNonNull(sidecar, "sidecar");
    this.delegate = requireNonNull(delegate, "delegate");
    this.viaSidecar = requireNonNull(viaSidecar, "viaSidecar");
    this.proxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(sidecar.host(), sidecar.port()));
  }

  @Override
  public List<Proxy> select(URI uri) {
    String host = uri.getHost();
    if (host != null && viaSidecar.test(host)) {
      return List.of(proxy);
    }
    return delegate.select(uri);
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    String host = uri.getHost();
    if (host == null || !viaSidecar.test(host)) {
      delegate.connectFailed(uri, sa, ioe);
    }
  }
}
