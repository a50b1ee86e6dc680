package io.meshsdk.discovery.kubernetes;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link KubernetesServiceDiscovery} follows and how it reads EndpointSlices.
 *
 * @param namespace the namespace whose EndpointSlices are followed (one informer for all its services)
 * @param portName the name of the EndpointSlice port to call, or {@code null}: the slice's only port, else the
 *     one named {@code http}
 * @param labelSelector an extra label selector the slices must match (e.g. {@code mesh=enabled}), or {@code null}
 * @param includeTerminating whether endpoints that are terminating but still serving are used when a service has
 *     no ready endpoint at all (as kube-proxy does)
 * @param resyncPeriod how often the informer re-delivers its whole cache, {@link Duration#ZERO} for never
 */
public record KubernetesDiscoveryOptions(
    String namespace,
    @Nullable String portName,
    @Nullable String labelSelector,
    boolean includeTerminating,
    Duration resyncPeriod) {

  /** The default resync period: 10 minutes (the watch delivers changes; the resync only re-checks the cache). */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  static final String NAME_RULE = "a DNS label: 1-63 lower-case letters, digits or '-', starting and ending with a"
      + " letter or digit";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9._/=!,() -]+");

  /** Validates every component (keys in messages are relative to {@code mesh.discovery.kubernetes.}). */
  public KubernetesDiscoveryOptions {
    requireNonNull(namespace, "namespace");
    requireNonNull(resyncPeriod, "resyncPeriod");
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw new ConfigException("namespace", namespace, NAME_RULE);
    }
    if (portName != null && !DNS_LABEL.matcher(portName).matches()) {
      throw new ConfigException("port-name", portName, NAME_RULE);
    }
    if (labelSelector != null
        && (labelSelector.isBlank() || !SELECTOR.matcher(labelSelector).matches())) {
      throw new ConfigException("label-selector", labelSelector,
          "a Kubernetes label selector such as 'mesh=enabled,tier!=batch' or 'env in (prod,canary)'");
    }
    if (resyncPeriod.isNegative()) {
      throw new ConfigException("resync-period", resyncPeriod, "0 (never) or a positive duration");
    }
  }

  /** Options for {@code namespace} with every default: no port name, no selector, terminating fallback on. */
  public static KubernetesDiscoveryOptions of(String namespace) {
    return new KubernetesDiscoveryOptions(namespace, null, null, true, DEFAULT_RESYNC);
  }

  /** A copy with another port name. */
  public KubernetesDiscoveryOptions withPortName(@Nullable String name) {
    return new KubernetesDiscoveryOptions(namespace, name, labelSelector, includeTerminating, resyncPeriod);
  }

  /** A copy with another label selector. */
  public KubernetesDiscoveryOptions withLabelSelector(@Nullable String selector) {
    return new KubernetesDiscoveryOptions(namespace, portName, selector, includeTerminating, resyncPeriod);
  }

  /** A copy with the terminating fallback on or off. */
  public KubernetesDiscoveryOptions withIncludeTerminating(boolean include) {
    return new KubernetesDiscoveryOptions(namespace, portName, labelSelector, include, resyncPeriod);
  }
}
