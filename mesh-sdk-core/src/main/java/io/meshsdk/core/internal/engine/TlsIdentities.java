package io.meshsdk.core.internal.engine;

import io.meshsdk.core.security.ExpectedServerIdentity;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a TLS endpoint's certificate is verified against, by endpoint address: the mesh connects to an endpoint's
 * address but verifies its certificate against the service's identity, never only against an IP.
 *
 * <ul>
 *   <li>Secure ({@code https}) endpoints, by host: the service names the certificate may carry.
 *   <li>Endpoints of {@code tls.mode=mtls} services, by {@code host:port}: the SPIFFE id the server must present.
 *       OkHttp pools connections per address, so an address that is an endpoint of several services must satisfy
 *       every one of them (a connection made for one may carry calls of the others).
 * </ul>
 *
 * <p>Updated when endpoints change (rare), read when a TLS connection is made (once per connection, not per call).
 */
public final class TlsIdentities {

  private final Map<String, Set<String>> hostsByService = new HashMap<>();
  private final Map<String, Map<String, ExpectedServerIdentity>> mtlsByService = new HashMap<>();
  private volatile Map<String, Set<String>> namesByHost = Map.of();
  private volatile Map<String, ExpectedServerIdentity> mtlsByAddress = Map.of();

  /**
   * The services whose secure endpoints live on {@code host}: a certificate presented by {@code host} is verified
   * against these names (empty when the host is no secure endpoint).
   */
  public Set<String> namesFor(String host) {
    return namesByHost.getOrDefault(host, Set.of());
  }

  /** What the server at {@code host:port} must present, or {@code null} when it is no endpoint of an mtls service. */
  public @Nullable ExpectedServerIdentity mtlsExpectation(String host, int port) {
    Map<String, ExpectedServerIdentity> m = mtlsByAddress;
    return m.isEmpty() ? null : m.get(address(host, port));
  }

  /** Whether any endpoint is one of an mtls service now. */
  public boolean anyMtls() {
    return !mtlsByAddress.isEmpty();
  }

  /** The key of an address in {@link #mtlsExpectation}. */
  static String address(String host, int port) {
    return host + ':' + port;
  }

  /** {@code service}'s secure endpoints are now on {@code hosts}; it has no mtls endpoint. */
  void update(String service, Set<String> hosts) {
    update(service, hosts, Map.of());
  }

  /**
   * {@code service}'s secure endpoints are now on {@code hosts}, and its mtls endpoints at the addresses of
   * {@code mtls} ({@link #address}) with what each must present.
   */
  synchronized void update(String service, Set<String> hosts, Map<String, ExpectedServerIdentity> mtls) {
    Set<String> previous = hostsByService.get(service);
    if (!hosts.equals(previous == null ? Set.of() : previous)) {
      if (hosts.isEmpty()) {
        hostsByService.remove(service);
      } else {
        hostsByService.put(service, Set.copyOf(hosts));
      }
      Map<String, Set<String>> next = new HashMap<>();
      hostsByService.forEach((s, hs) -> {
        for (String h : hs) {
          next.computeIfAbsent(h, k -> new HashSet<>()).add(s);
        }
      });
      next.replaceAll((h, names) -> Set.copyOf(names));
      namesByHost = Map.copyOf(next);
    }
    Map<String, ExpectedServerIdentity> previousMtls = mtlsByService.get(service);
    if (Objects.equals(mtls, previousMtls == null ? Map.of() : previousMtls)) {
      return;
    }
    if (mtls.isEmpty()) {
      mtlsByService.remove(service);
    } else {
      mtlsByService.put(service, Map.copyOf(mtls));
    }
    Map<String, ExpectedServerIdentity> byAddress = new HashMap<>();
    mtlsByService.forEach((s, m) -> m.forEach((a, e) -> byAddress.merge(a, e, ExpectedServerIdentity::and)));
    mtlsByAddress = Map.copyOf(byAddress);
  }
}
