package io.meshsdk.core.config;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.sidecar.RouteConfig;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything that governs calls to one service. Immutable; the mesh compiles it into a call pipeline once,
 * when the config is applied, never per call.
 */
public final class ServiceConfig {

  private static final ServiceConfig DEFAULTS = builder().build();

  private final LoadBalancerConfig loadBalancer;
  private final RouteConfig route; // sidecar bridge
  private final ResilienceConfig resilience;
  private final ServiceTlsConfig tls;

  private ServiceConfig(Builder b) {
    this.loadBalancer = b.loadBalancer;
    this.route = b.route;
    this.resilience = b.resilience;
    this.tls = b.tls;
  }

  /** The built-in defaults. */
  public static ServiceConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the built-in defaults. */
  public static Builder builder() {
    return new Builder(null);
  }

  /** A builder starting from {@code base}. */
  public static Builder from(ServiceConfig base) {
    return new Builder(requireNonNull(base, "base"));
  }

  /** How calls are balanced over endpoints. */
  public LoadBalancerConfig loadBalancer() {
    return loadBalancer;
  }

  /** Which path calls take: direct, via the sidecar, or split between them ({@code route.*}). */
  public RouteConfig route() {
    return route;
  }

  /** Breaker, outlier ejection, rate limit, bulkhead, retries and timeouts. */
  public ResilienceConfig resilience() {
    return resilience;
  }

  /** Whether and how direct calls are secured ({@code tls.*}): off, or mutual TLS with the workload certificate. */
  public ServiceTlsConfig tls() {
    return tls;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceConfig c && loadBalancer.equals(c.loadBalancer)
        && route.equals(c.route) && resilience.equals(c.resilience) && tls.equals(c.tls);
  }

  @Override
  public int hashCode() {
    return Objects.hash(loadBalancer, route, resilience, tls);
  }

  @Override
  public String toString() {
    return "ServiceConfig{lb=" + loadBalancer
        + (route.equals(RouteConfig.DEFAULT) ? "" : ", route=" + route)
        + ", resilience=" + resilience
        + (tls.equals(ServiceTlsConfig.OFF) ? "" : ", tls=" + tls)
        + "}";
  }

  /** Builds a {@link ServiceConfig}. */
  public static final class Builder {
    private LoadBalancerConfig loadBalancer;
    private LoadBalancerConfig.@Nullable Builder lbProperties;
    private RouteConfig route;
    private ResilienceConfig resilience;
    private ResilienceConfig.@Nullable Builder resilienceProperties;
    private ServiceTlsConfig tls;

    private Builder(@Nullable ServiceConfig base) {
      this.loadBalancer = base == null ? LoadBalancerConfig.ofDefaults() : base.loadBalancer;
      this.route = base == null ? RouteConfig.DEFAULT : base.route;
      this.resilience = base == null ? ResilienceConfig.ofDefaults() : base.resilience;
      this.tls = base == null ? ServiceTlsConfig.OFF : base.tls;
    }

    /** How direct calls are secured (default {@link ServiceTlsConfig#OFF}); see {@link ServiceTlsConfig}. */
    public Builder tls(ServiceTlsConfig tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /** Breaker, outlier ejection, rate limit, bulkhead, retries and timeouts. */
    public Builder resilience(ResilienceConfig resilience) {
      this.resilience = requireNonNull(resilience, "resilience");
      this.resilienceProperties = null;
      return this;
    }

    /** Which path calls take (default {@code direct}); see {@link RouteConfig}. */
    public Builder route(RouteConfig route) {
      this.route = requireNonNull(route, "route");
      return this;
    }

    /** How calls are balanced. */
    public Builder loadBalancer(LoadBalancerConfig loadBalancer) {
      this.loadBalancer = requireNonNull(loadBalancer, "loadBalancer");
      this.lbProperties = null;
      return this;
    }

    /**
     * Sets one property by its key relative to the service (e.g. {@code lb.policy}).
     *
     * @throws ConfigException for an unknown key or an invalid value
     */
    public Builder set(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      if (key.startsWith("lb.")) {
        LoadBalancerConfig.Builder lb = lbProperties;
        if (lb == null) {
          lb = LoadBalancerConfig.from(loadBalancer);
          lbProperties = lb;
        }
        if (lb.set(key.substring(3), value)) {
          return this;
        }
      }
      if (key.startsWith("route.")) {
        route = route.with(key.substring(6), value);
        return this;
      }
      if (key.startsWith("tls.")) {
        tls = tls.with(key.substring(4), value);
        return this;
      }
      if (ResilienceConfig.isResilienceKey(key)) {
        ResilienceConfig.Builder r = resilienceProperties;
        if (r == null) {
          r = ResilienceConfig.from(resilience);
          resilienceProperties = r;
        }
        if (r.set(key, value)) {
          return this;
        }
      }
      throw new ConfigException(key, value, "a known key; see docs/configuration.md");
    }

    /** Builds and cross-checks the config. */
    public ServiceConfig build() {
      LoadBalancerConfig.Builder lb = lbProperties;
      if (lb != null) {
        loadBalancer = lb.build();
        lbProperties = null;
      }
      ResilienceConfig.Builder r = resilienceProperties;
      if (r != null) {
        resilience = r.build();
        resilienceProperties = null;
      }
      return new ServiceConfig(this);
    }
  }
}
