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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The proxy hand-off of the {@code http-proxy} style: the sidecar, as a forward proxy, for the hosts of calls the
 * mesh hands to it; {@code delegate}'s choice for everything else. Direct calls are rewritten to endpoint
 * addresses before a selector sees them, so they never match.
 */
public final class SidecarProxySelector extends ProxySelector {

  private final ProxySelector delegate;
  private final Predicate<String> viaSidecar;
  private final Supplier<@Nullable SidecarConfig> sidecar;
  private volatile Current current;

  /** The sidecar the proxy was made for (re-made when the sidecar is replaced). */
  private record Current(@Nullable SidecarConfig config, @Nullable Proxy proxy) {}

  /**
   * A selector for {@code sidecar}.
   *
   * @param viaSidecar whether a request host is one the mesh hands to the sidecar
   */
  public SidecarProxySelector(SidecarConfig sidecar, ProxySelector delegate, Predicate<String> viaSidecar) {
    this(fixed(requireNonNull(sidecar, "sidecar")), delegate, viaSidecar);
  }

  private static Supplier<@Nullable SidecarConfig> fixed(SidecarConfig sidecar) {
    return () -> sidecar;
  }

  /**
   * A selector for whatever sidecar {@code sidecar} returns at the time of each selection (the mesh's current one,
   * which can be replaced at run time); {@code null} means none, so {@code delegate} decides.
   *
   * @param viaSidecar whether a request host is one the mesh hands to the sidecar
   */
  public SidecarProxySelector(Supplier<@Nullable SidecarConfig> sidecar, ProxySelector delegate,
      Predicate<String> viaSidecar) {
    this.sidecar = requireNonNull(sidecar, "sidecar");
    this.delegate = requireNonNull(delegate, "delegate");
    this.viaSidecar = requireNonNull(viaSidecar, "viaSidecar");
    this.current = new Current(null, null);
  }

  @SuppressWarnings("ReferenceEquality") // identity: a replaced sidecar is a new config object
  private @Nullable Proxy proxy() {
    SidecarConfig c = sidecar.get();
    Current cur = current;
    if (cur.config() != c) { // the sidecar was replaced (or this is the first selection)
      cur = new Current(c, c == null ? null
          : new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(c.host(), c.port())));
      current = cur;
    }
    return cur.proxy();
  }

  @Override
  public List<Proxy> select(URI uri) {
    String host = uri.getHost();
    if (host != null && viaSidecar.test(host)) {
      Proxy p = proxy();
      if (p != null) {
        return List.of(p);
      }
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
