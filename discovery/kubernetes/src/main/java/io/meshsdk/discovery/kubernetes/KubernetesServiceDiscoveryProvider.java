package io.meshsdk.discovery.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.ServiceDiscoveryProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code mesh.discovery.uri=kubernetes:} (or {@code k8s:}): the API server of the in-cluster service account or of
 * the kubeconfig (fabric8's usual auto-configuration); {@code kubernetes://<api-host>:<port>} overrides the server
 * address (https, port 443 by default; {@code tls=false} for a plain-http {@code kubectl proxy}).
 *
 * <p>Keys under {@code mesh.discovery.kubernetes.} ({@code mesh.discovery.k8s.} with the {@code k8s:} scheme):
 * {@code namespace} (default: the client's namespace, else {@code default}), {@code port-name}, {@code label-selector},
 * {@code include-terminating} (default true), {@code resync-period} (default 10m, 0 for never), {@code tls}
 * (default true). See {@link KubernetesDiscoveryOptions}.
 */
public final class KubernetesServiceDiscoveryProvider implements ServiceDiscoveryProvider {

  private static final String URI_KEY = "mesh.discovery.uri";
  private static final String EXAMPLE = "kubernetes: (in-cluster or kubeconfig) or kubernetes://<api-host>:<port>";

  /** For {@link java.util.ServiceLoader}. */
  public KubernetesServiceDiscoveryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("kubernetes", "k8s");
  }

  @Override
  public Set<String> propertyKeys() {
    return Set.of("namespace", "port-name", "label-selector", "include-terminating", "resync-period", "tls");
  }

  @Override
  public ServiceDiscovery create(URI uri, Map<String, String> properties) {
    String scheme = ConfigValues.scheme(uri);
    String prefix = "mesh.discovery." + scheme + ".";
    boolean tls = true;
    String tlsText = properties.get("tls");
    if (tlsText != null) {
      tls = ConfigValues.parseBoolean(prefix + "tls", tlsText);
    }
    String master = masterUrl(uri, tls);
    Config config = master == null ? new ConfigBuilder().build() : new ConfigBuilder().withMasterUrl(master).build();
    KubernetesDiscoveryOptions options;
    try {
      options = options(prefix, properties, config.getNamespace());
    } catch (ConfigException e) {
      throw e.key().startsWith("mesh.") ? e : e.withKeyPrefix(prefix);
    }
    return KubernetesServiceDiscovery.create(config, options);
  }

  static KubernetesDiscoveryOptions options(
      String prefix, Map<String, String> properties, @Nullable String clientNamespace) {
    String namespace = properties.get("namespace");
    if (namespace == null) {
      namespace = clientNamespace == null || clientNamespace.isBlank() ? "default" : clientNamespace;
    }
    boolean includeTerminating = true;
    String inc = properties.get("include-terminating");
    if (inc != null) {
      includeTerminating = ConfigValues.parseBoolean(prefix + "include-terminating", inc);
    }
    Duration resync = KubernetesDiscoveryOptions.DEFAULT_RESYNC;
    String resyncText = properties.get("resync-period");
    if (resyncText != null) {
      resync = ConfigValues.parseDuration(prefix + "resync-period", resyncText);
      if (resync.isNegative()) {
        throw new ConfigException(prefix + "resync-period", resyncText, "0 (never) or a positive duration such as 10m");
      }
    }
    return new KubernetesDiscoveryOptions(namespace.trim(), blankToNull(properties.get("port-name")),
        blankToNull(properties.get("label-selector")), includeTerminating, resync);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** {@code null} for {@code kubernetes:} (auto-configuration), else the API server's URL. */
  private static @Nullable String masterUrl(URI uri, boolean tls) {
    if (uri.isOpaque()) {
      String ssp = uri.getSchemeSpecificPart();
      if (ssp == null || ssp.isBlank()) {
        return null;
      }
      throw new ConfigException(URI_KEY, uri.toString(), EXAMPLE);
    }
    String host = uri.getHost();
    boolean emptyPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath());
    if (uri.getRawAuthority() == null && emptyPath && uri.getRawQuery() == null) {
      return null; // kubernetes:// or kubernetes:///
    }
    if (host == null || uri.getRawUserInfo() != null || !emptyPath || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigException(URI_KEY, uri.toString(), EXAMPLE + " (no user, path or query)");
    }
    int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return (tls ? "https://" : "http://") + h + ":" + port;
  }
}
