package io.meshsdk.core.config;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.migration.MigrationPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The whole mesh configuration: defaults for every service plus per-service overrides. Immutable and
 * validated when built: a bad value fails {@link Builder#build()} (or {@link #fromProperties}) with a
 * {@link ConfigException} naming the full key, the value and what is allowed.
 *
 * <pre>{@code
 * MeshConfig config = MeshConfig.builder()
 *     .defaults(d -> d.loadBalancer(LoadBalancerConfig.ofDefaults()))
 *     .service("inventory", s -> s.set("lb.policy", "round-robin"))
 *     .build();
 * }</pre>
 */
public final class MeshConfig {

  private static final MeshConfig DEFAULTS = builder().build();

  private final ServiceConfig defaults;
  private final Map<String, ServiceConfig> services;
  private final String meshDomain;
  private final Map<String, MigrationPlan> plans;

  private MeshConfig(ServiceConfig defaults, Map<String, ServiceConfig> services, String meshDomain,
      Map<String, MigrationPlan> plans) {
    this.defaults = defaults;
    this.services = Map.copyOf(services);
    this.meshDomain = meshDomain;
    this.plans = Map.copyOf(plans);
  }

  /** Built-in defaults, no per-service overrides. */
  public static MeshConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a config from flat properties under {@code mesh.}: {@code mesh.defaults.<key>},
   * {@code mesh.services.<service>.<key>}, {@code mesh.plans.<plan>.<key>} ({@link MigrationPlan}) and
   * {@code mesh.domain}. Keys of other prefixes are ignored, as are
   * {@code mesh.sidecar.*} ({@code SidecarConfig.fromProperties}), {@code mesh.inbound.*}
   * ({@code InboundGuardConfig.fromProperties}), {@code mesh.discovery.*} ({@code ServiceDiscoveries}),
   * {@code mesh.registry.*} ({@code ServiceRegistries}), {@code mesh.policy.*} ({@code PolicyConfig}) and
   * {@code mesh.tls.*} ({@code TlsConfig.fromProperties}). A key whose prefix is {@code mesh.} in another letter
   * case ({@code Mesh.services...}, {@code MESH.defaults...}) is refused rather than silently ignored.
   *
   * @throws ConfigException naming the full key of the first invalid entry
   */
  public static MeshConfig fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    Builder b = builder();
    List<Map.Entry<String, String>> defaults = new ArrayList<>();
    Map<String, List<Map.Entry<String, String>>> perService = new LinkedHashMap<>();
    // "<service>\n<key>" -> the first full key that set it: the same setting under two spellings of a name
    Map<String, String> spelled = new HashMap<>();
    MigrationPlan.fromProperties(properties).values().forEach(b::plan);
    // Keys apply in name order, except that `<policy>.enabled` keys come last: setting a limit turns its
    // policy on (rate-limit.permits, bulkhead.max-concurrent-calls), and an explicit enabled=false must win
    // whatever the order of the keys.
    List<Map.Entry<String, String>> ordered = new ArrayList<>(new TreeMap<>(properties).entrySet());
    ordered.sort(java.util.Comparator.comparing(e -> e.getKey().endsWith(".enabled")));
    for (Map.Entry<String, String> e : ordered) {
      String key = e.getKey();
      if (!key.startsWith("mesh.")) {
        if (key.regionMatches(true, 0, "mesh.", 0, 5)) {
          throw new ConfigException(key, e.getValue(), "a key starting with \"mesh.\" in lower case");
        }
        continue;
      }
      String rest = key.substring(5);
      if (rest.startsWith("sidecar.") || rest.startsWith("inbound.") || rest.startsWith("discovery.")
          || rest.startsWith("registry.") || rest.startsWith("policy.") || rest.startsWith("tls.")
          || rest.startsWith("plans.")) {
        // read by SidecarConfig.fromProperties, InboundGuardConfig.fromProperties, ServiceDiscoveries,
        // ServiceRegistries, PolicyConfig.fromProperties and TlsConfig.fromProperties; plans: above
        continue;
      }
      if (rest.equals("domain")) {
        try {
          b.meshDomain(e.getValue());
        } catch (ConfigException ex) {
          throw ex.withKeyPrefix("mesh.");
        }
      } else if (rest.startsWith("defaults.")) {
        defaults.add(Map.entry(rest.substring(9), e.getValue()));
      } else if (rest.startsWith("services.")) {
        String s = rest.substring(9);
        int dot = s.indexOf('.');
        if (dot <= 0) {
          throw new ConfigException(key, e.getValue(), "mesh.services.<service>.<key>");
        }
        // the name as the service will know it (Inventory is inventory), refused under the full key if invalid
        String service = ServiceNames.canonical(key, s.substring(0, dot));
        String relative = s.substring(dot + 1);
        String firstKey = spelled.putIfAbsent(service + '\n' + relative, key);
        String firstValue = firstKey == null ? null : properties.get(firstKey);
        if (firstKey != null && !e.getValue().equals(firstValue)) {
          throw new ConfigException(key, e.getValue(), "one value per service and key, but " + firstKey + " sets \""
              + firstValue + "\" (service names are matched in any case)");
        }
        perService.computeIfAbsent(service, x -> new ArrayList<>()).add(Map.entry(relative, e.getValue()));
      } else {
        throw new ConfigException(key, e.getValue(), "a key under mesh.defaults., mesh.services., mesh.sidecar.,"
            + " mesh.inbound., mesh.discovery., mesh.registry., mesh.policy., mesh.tls., mesh.plans. or mesh.domain");
      }
    }
    b.defaults(d -> defaults.forEach(kv -> set(d, "mesh.defaults.", kv)));
    perService.forEach((service, entries) ->
        b.service(service, s -> entries.forEach(kv -> set(s, "mesh.services." + service + ".", kv))));
    try {
      return b.build();
    } catch (ConfigException e) {
      // build() reports service-relative keys under "services."/"defaults."; make them full property keys
      throw e.key().startsWith("mesh.") ? e : e.withKeyPrefix("mesh.");
    }
  }

  private static void set(ServiceConfig.Builder b, String prefix, Map.Entry<String, String> kv) {
    try {
      b.set(kv.getKey(), kv.getValue());
    } catch (ConfigException e) {
      throw e.withKeyPrefix(prefix);
    }
  }

  /** The config of services without an override. */
  public ServiceConfig defaults() {
    return defaults;
  }

  /** Per-service configs (each complete: defaults with the service's overrides applied). */
  public Map<String, ServiceConfig> services() {
    return services;
  }

  /** The config that governs calls to {@code service}. */
  public ServiceConfig forService(String service) {
    ServiceConfig c = services.get(service);
    return c == null ? defaults : c;
  }

  /**
   * A host suffix that marks mesh services (e.g. {@code .mesh}: {@code http://inventory.mesh/} is service
   * {@code inventory}); "" when only declared and discovered services are mesh hosts.
   */
  public String meshDomain() {
    return meshDomain;
  }

  /** The migration plans by name ({@code mesh.plans.<name>.*}). */
  public Map<String, MigrationPlan> plans() {
    return plans;
  }

  /**
   * The migration plan {@code service} follows: the one listing it in its service list, else the one its
   * {@code route.plan} names (its own or {@code mesh.defaults.route.plan}); {@code null} for none.
   */
  public @Nullable MigrationPlan planFor(String service) {
    for (MigrationPlan p : plans.values()) {
      if (p.services().contains(service)) {
        return p;
      }
    }
    String named = forService(service).route().plan();
    return named.isEmpty() ? null : plans.get(named);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeshConfig c
        && defaults.equals(c.defaults)
        && services.equals(c.services)
        && meshDomain.equals(c.meshDomain)
        && plans.equals(c.plans);
  }

  @Override
  public int hashCode() {
    return defaults.hashCode() * 31 + services.hashCode() + meshDomain.hashCode() + plans.hashCode() * 17;
  }

  @Override
  public String toString() {
    return "MeshConfig{defaults=" + defaults + ", services=" + new TreeMap<>(services)
        + (meshDomain.isEmpty() ? "" : ", domain=" + meshDomain)
        + (plans.isEmpty() ? "" : ", plans=" + new TreeMap<>(plans).values()) + "}";
  }

  /**
   * Builds a {@link MeshConfig}. Per-service customizers run at {@link #build()} on top of the final
   * defaults, so the order of {@code defaults(...)} and {@code service(...)} calls does not matter.
   */
  public static final class Builder {
    private final List<Consumer<ServiceConfig.Builder>> defaults = new ArrayList<>();
    private final Map<String, List<Consumer<ServiceConfig.Builder>>> services = new LinkedHashMap<>();
    private String meshDomain = "";
    private final Map<String, MigrationPlan> plans = new TreeMap<>();

    private Builder() {}

    /** Defines a migration plan (replacing one of the same name); see {@link MigrationPlan}. */
    public Builder plan(MigrationPlan plan) {
      requireNonNull(plan, "plan");
      plans.put(plan.name(), plan);
      return this;
    }

    /** Customizes the defaults of every service. */
    public Builder defaults(Consumer<ServiceConfig.Builder> customizer) {
      defaults.add(requireNonNull(customizer, "customizer"));
      return this;
    }

    /**
     * Declares {@code service} and customizes its config on top of the defaults.
     *
     * @throws ConfigException if {@code service} is not a valid service name ({@link ServiceNames}; upper case is
     *     folded)
     */
    public Builder service(String service, Consumer<ServiceConfig.Builder> customizer) {
      requireNonNull(service, "service");
      requireNonNull(customizer, "customizer");
      String name = ServiceNames.canonical("services", service);
      services.computeIfAbsent(name, s -> new ArrayList<>()).add(customizer);
      return this;
    }

    /** Declares {@code service} with the default config. */
    public Builder service(String service) {
      return service(service, s -> {});
    }

    /** A host suffix that marks mesh services, e.g. {@code .mesh}; "" for none. */
    public Builder meshDomain(String domain) {
      requireNonNull(domain, "domain");
      String d = domain.trim().toLowerCase(Locale.ROOT);
      if (!d.isEmpty() && (!d.startsWith(".") || ServiceNames.canonicalOrNull(d.substring(1)) == null)) {
        throw new ConfigException("domain", domain, "\"\" or a DNS suffix starting with '.', such as .mesh (ASCII"
            + " letters, digits, '-', '_' and '.')");
      }
      this.meshDomain = d;
      return this;
    }

    /** Builds and validates; a bad value throws {@link ConfigException}. */
    public MeshConfig build() {
      ServiceConfig d = apply(ServiceConfig.builder(), defaults, "defaults.");
      Map<String, ServiceConfig> s = new LinkedHashMap<>();
      services.forEach((name, list) -> s.put(name, apply(ServiceConfig.from(d), list, "services." + name + ".")));
      checkPlans(d, s);
      return new MeshConfig(d, s, meshDomain, plans);
    }

    /**
     * Every route.plan names a plan; no service is listed by two plans, nor listed by one plan with its own
     * route.plan naming another (a route.plan it inherits from the defaults yields to the list).
     */
    private void checkPlans(ServiceConfig d, Map<String, ServiceConfig> s) {
      String known = plans.isEmpty() ? "a plan defined under mesh.plans.<name>.* (none is)"
          : "a plan defined under mesh.plans.<name>.*: " + plans.keySet();
      if (!d.route().plan().isEmpty() && !plans.containsKey(d.route().plan())) {
        throw new ConfigException("defaults.route.plan", d.route().plan(), known);
      }
      s.forEach((name, sc) -> {
        String plan = sc.route().plan();
        if (!plan.isEmpty() && !plans.containsKey(plan)) {
          throw new ConfigException("services." + name + ".route.plan", plan, known);
        }
      });
      Map<String, String> listedBy = new TreeMap<>();
      for (MigrationPlan p : plans.values()) {
        for (String service : p.services()) {
          String other = listedBy.put(service, p.name());
          if (other != null) {
            throw new ConfigException("plans." + p.name() + ".services", String.join(",", p.services()),
                "services that follow no other plan: " + service + " is also listed by plan " + other);
          }
          ServiceConfig own = s.get(service);
          String named = own == null ? "" : own.route().plan();
          if (!named.isEmpty() && !named.equals(p.name()) && !named.equals(d.route().plan())) {
            throw new ConfigException("plans." + p.name() + ".services", String.join(",", p.services()),
                "services that follow no other plan: " + service + " has route.plan=" + named);
          }
        }
      }
    }

    private static ServiceConfig apply(
        ServiceConfig.Builder b, List<Consumer<ServiceConfig.Builder>> customizers, String prefix) {
      try {
        customizers.forEach(c -> c.accept(b));
        return b.build();
      } catch (ConfigException e) {
        throw e.key().startsWith("mesh.") ? e : e.withKeyPrefix(prefix);
      }
    }
  }

  /** Convenience: a copy of this config with {@code service}'s config replaced by {@code change}'s result. */
  public MeshConfig withService(String service, UnaryOperator<ServiceConfig> change) {
    requireNonNull(service, "service");
    requireNonNull(change, "change");
    Map<String, ServiceConfig> copy = new LinkedHashMap<>(services);
    copy.put(service, requireNonNull(change.apply(forService(service)), "changed config"));
    return new MeshConfig(defaults, copy, meshDomain, plans);
  }
}
