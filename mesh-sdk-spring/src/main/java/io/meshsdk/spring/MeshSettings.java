package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.security.TlsConfig;
import io.meshsdk.core.security.policy.PolicyConfig;
import io.meshsdk.core.sidecar.InboundMode;
import io.meshsdk.core.sidecar.InboundRegistration;
import io.meshsdk.core.sidecar.RegistrationPortPolicy;
import io.meshsdk.core.sidecar.SidecarConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The {@code mesh.*} properties of a Spring {@link Environment}, flattened into the core's flat form and validated
 * by the core ({@link MeshConfig#fromProperties}, {@link InboundGuardConfig#fromProperties},
 * {@link SidecarConfig#fromProperties}), plus the keys only the starter reads ({@code mesh.enabled},
 * {@code mesh.local-service}, {@code mesh.drain-delay}, {@code mesh.registration.*}...). Every invalid value or
 * unknown key fails with a {@link ConfigException} naming the full property, the value and what is allowed (for an
 * unknown key: the closest known one).
 *
 * <p>Spring's relaxed binding applies: YAML, properties, environment variables ({@code MESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS})
 * and camelCase keys ({@code retry.maxAttempts}) all reach the core as {@code mesh.services.inventory.retry.max-attempts};
 * list values ({@code retry.statuses: [502, 503]}) are joined with commas.
 */
public final class MeshSettings {

  /** Top-level keys (after {@code mesh.}) only the starter reads. */
  static final List<String> STARTER_KEYS = List.of("enabled", "local-service", "failsafe-directory", "drain-delay",
      "drain-timeout", "discovery-wait", "registration.enabled", "registration.service", "registration.host",
      "registration.port", "registration.inbound", "registration.inbound-overlap",
      "registration.inbound-acknowledge-timeout", "config.file", "config.poll-interval", "tracing.enabled", "tracing.server-spans",
      "server.enabled");
  /** Prefixes (after {@code mesh.}) handed to the core. */
  static final List<String> CORE_PREFIXES = List.of("defaults.", "services.", "discovery.", "registry.", "sidecar.",
      "inbound.", "policy.", "tls.", "plans.");
  private static final List<String> POLICY_KEYS = List.of("file", "refresh-interval", "log-interval");
  private static final List<String> TLS_KEYS = List.of("certificate-chain", "private-key", "trust-bundle",
      "refresh-interval", "trust-domain");
  private static final List<String> SIDECAR_KEYS = List.of("address", "style", "host-suffix", "ready-url",
      "probe-interval", "probe-timeout", "probe-failures", "marker-header", "inbound-port", "readiness",
      "not-ready-warn-interval", "dialect");
  private static final List<String> INBOUND_KEYS = List.of("caller-header", "per-caller-permits",
      "per-caller-period", "per-caller-max-concurrent", "max-concurrent", "overload-retry-after",
      "max-tracked-callers", "trusted-hops", "trust-plaintext-caller");
  private static final Pattern INDEXED = Pattern.compile("^(.*?)(?:\\[(\\d+)]|\\.(\\d+))$");
  private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

  private final Map<String, String> all;
  private final Map<String, String> core;
  private final MeshConfig config;
  private final @Nullable String localService;
  private final Map<String, String> labels;

  private MeshSettings(Map<String, String> all, @Nullable String applicationName) {
    this.all = Collections.unmodifiableMap(new TreeMap<>(all));
    Map<String, String> coreProps = new TreeMap<>();
    Map<String, String> labelProps = new TreeMap<>();
    for (Map.Entry<String, String> e : this.all.entrySet()) {
      String rest = e.getKey().substring(5);
      if (rest.startsWith("registration.labels.")) {
        labelProps.put(rest.substring("registration.labels.".length()), e.getValue());
      } else if (rest.equals("domain") || CORE_PREFIXES.stream().anyMatch(rest::startsWith)) {
        coreProps.put(e.getKey(), e.getValue());
      } else if (!STARTER_KEYS.contains(rest)) {
        throw unknown(e.getKey(), e.getValue(), topLevelCandidates());
      }
    }
    this.core = Collections.unmodifiableMap(coreProps);
    this.labels = Map.copyOf(labelProps);
    this.config = parseConfig(core);
    InboundGuardConfig.fromProperties(core); // validated now, used by the filter
    PolicyConfig.fromProperties(core);
    TlsConfig.fromProperties(core);
    SidecarConfig.fromProperties(core);
    String local = get("mesh.local-service");
    String localKey = "mesh.local-service";
    if (local == null && applicationName != null && !applicationName.isBlank()) {
      local = applicationName;
      localKey = "spring.application.name";
    }
    this.localService = local == null || local.isBlank() ? null : ServiceNames.canonical(localKey, local);
    // parse every starter value once now, so that a bad one stops the start
    enabled();
    drainDelay();
    drainTimeout();
    discoveryWait();
    configPollInterval();
    registrationPort();
    registrationEnabled();
    registrationInboundOverlap();
    registrationInboundAcknowledgeTimeout();
    if (registrationInbound() == InboundMode.SIDECAR) {
      try {
        RegistrationPortPolicy.of(SidecarConfig.fromProperties(core), true);
      } catch (ConfigException e) {
        throw e.withKeyPrefix("mesh.");
      }
    }
    tracingEnabled();
    serverEnabled();
    serverSpans();
  }

  /** Reads and validates the {@code mesh.*} properties of {@code environment}. */
  public static MeshSettings from(Environment environment) {
    requireNonNull(environment, "environment");
    Map<String, String> raw = Binder.get(environment).bind("mesh", Bindable.mapOf(String.class, String.class))
        .orElse(Map.of());
    return new MeshSettings(normalize(raw), environment.getProperty("spring.application.name"));
  }

  /** Validates flat {@code mesh.*} properties, as if they came from an environment (for tests and tools). */
  public static MeshSettings of(Map<String, String> properties, @Nullable String applicationName) {
    Map<String, String> rest = new LinkedHashMap<>();
    properties.forEach((k, v) -> {
      if (k.startsWith("mesh.")) {
        rest.put(k.substring(5), v);
      }
    });
    return new MeshSettings(normalize(rest), applicationName);
  }

  /** {@code raw}'s keys (relative to {@code mesh.}) in the core's form, with {@code mesh.} in front. */
  private static Map<String, String> normalize(Map<String, String> raw) {
    Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(raw).entrySet()) {
      String key = e.getKey();
      Matcher m = INDEXED.matcher(key);
      if (m.matches()) {
        String index = m.group(2) != null ? m.group(2) : m.group(3);
        lists.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(index), e.getValue());
        continue;
      }
      out.put("mesh." + canonicalKey(key), e.getValue());
    }
    lists.forEach((k, v) -> out.put("mesh." + canonicalKey(k), String.join(",", v.values())));
    return out;
  }

  /** Kebab case for property segments; service names and label keys are left as written. */
  private static String canonicalKey(String key) {
    if (key.startsWith("registration.labels.")) {
      return key;
    }
    if (key.startsWith("services.")) {
      int dot = key.indexOf('.', 9);
      if (dot > 0) {
        return key.substring(0, dot + 1) + serviceKey(key.substring(dot + 1));
      }
      return key;
    }
    if (key.startsWith("defaults.")) {
      return "defaults." + serviceKey(key.substring(9));
    }
    String kebab = kebab(key);
    for (String known : STARTER_KEYS) {
      if (uniform(known).equals(uniform(kebab))) {
        return known;
      }
    }
    return kebab;
  }

  /** A per-service key in kebab case, mapped to the known key it spells without dashes (environment variables). */
  private static String serviceKey(String key) {
    String kebab = kebab(key);
    if (ServiceKeys.ALL.contains(kebab)) {
      return kebab;
    }
    for (String known : ServiceKeys.ALL) {
      if (uniform(known).equals(uniform(kebab))) {
        return known;
      }
    }
    return kebab;
  }

  private static String kebab(String key) {
    return CAMEL.matcher(key).replaceAll("$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String uniform(String key) {
    return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  private MeshConfig parseConfig(Map<String, String> props) {
    try {
      return MeshConfig.fromProperties(props);
    } catch (ConfigException e) {
      if (e.expected().startsWith("a known key")) {
        throw unknown(e.key(), e.value(), serviceCandidates(e.key()));
      }
      throw e;
    }
  }

  private static List<String> topLevelCandidates() {
    List<String> c = new ArrayList<>();
    STARTER_KEYS.forEach(k -> c.add("mesh." + k));
    c.add("mesh.domain");
    c.add("mesh.registration.labels.<label>");
    c.add("mesh.discovery.uri");
    c.add("mesh.registry.uri");
    ServiceKeys.ALL.forEach(k -> c.add("mesh.defaults." + k));
    SIDECAR_KEYS.forEach(k -> c.add("mesh.sidecar." + k));
    INBOUND_KEYS.forEach(k -> c.add("mesh.inbound." + k));
    POLICY_KEYS.forEach(k -> c.add("mesh.policy." + k));
    TLS_KEYS.forEach(k -> c.add("mesh.tls." + k));
    return c;
  }

  private static List<String> serviceCandidates(String key) {
    String prefix;
    if (key.startsWith("mesh.defaults.")) {
      prefix = "mesh.defaults.";
    } else {
      int dot = key.indexOf('.', "mesh.services.".length());
      prefix = dot > 0 ? key.substring(0, dot + 1) : "mesh.services.<service>.";
    }
    List<String> c = new ArrayList<>();
    ServiceKeys.ALL.forEach(k -> c.add(prefix + k));
    return c;
  }

  private static ConfigException unknown(String key, String value, List<String> candidates) {
    String best = closest(key, candidates);
    return new ConfigException(key, value, "a known key (did you mean \"" + best + "\"?); see the mesh-sdk-spring"
        + " README");
  }

  /** The candidate with the smallest edit distance to {@code key}. */
  static String closest(String key, List<String> candidates) {
    String best = candidates.get(0);
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(key, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private @Nullable String get(String key) {
    String v = all.get(key);
    return v == null ? null : v.trim();
  }

  private Duration duration(String key, Duration defaultValue) {
    String v = get(key);
    return v == null ? defaultValue : ConfigValues.requireNonNegative(key, ConfigValues.parseDuration(key, v));
  }

  private boolean bool(String key, boolean defaultValue) {
    String v = get(key);
    return v == null ? defaultValue : ConfigValues.parseBoolean(key, v);
  }

  /** Every {@code mesh.*} property, flattened (starter keys included). */
  public Map<String, String> properties() {
    return all;
  }

  /**
   * The properties the core reads ({@code mesh.domain}, defaults, services, discovery, registry, sidecar, inbound,
   * policy, tls).
   */
  public Map<String, String> coreProperties() {
    return core;
  }

  /** The engine's config ({@code mesh.domain}, {@code mesh.defaults.*}, {@code mesh.services.*}). */
  public MeshConfig config() {
    return config;
  }

  /** {@code mesh.enabled}, default {@code true}. */
  public boolean enabled() {
    return bool("mesh.enabled", true);
  }

  /** This service's name: {@code mesh.local-service}, else {@code spring.application.name}, else {@code null}. */
  public @Nullable String localService() {
    return localService;
  }

  /** {@code mesh.failsafe-directory}, or {@code null}. */
  public @Nullable Path failsafeDirectory() {
    String v = get("mesh.failsafe-directory");
    return v == null || v.isEmpty() ? null : Path.of(v);
  }

  /** {@code mesh.drain-delay}, default {@link Mesh.Builder#DEFAULT_DRAIN_DELAY}. */
  public Duration drainDelay() {
    return duration("mesh.drain-delay", Mesh.Builder.DEFAULT_DRAIN_DELAY);
  }

  /** {@code mesh.drain-timeout}, default {@link Mesh.Builder#DEFAULT_DRAIN_TIMEOUT}. */
  public Duration drainTimeout() {
    return duration("mesh.drain-timeout", Mesh.Builder.DEFAULT_DRAIN_TIMEOUT);
  }

  /** {@code mesh.discovery-wait}, default {@link Mesh.Builder#DEFAULT_DISCOVERY_WAIT}. */
  public Duration discoveryWait() {
    return duration("mesh.discovery-wait", Mesh.Builder.DEFAULT_DISCOVERY_WAIT);
  }

  /** {@code mesh.registry.uri}, or {@code null}. */
  public @Nullable String registryUri() {
    return get("mesh.registry.uri");
  }

  /** {@code mesh.registration.enabled}: default {@code true} (registers when a registry is configured). */
  public boolean registrationEnabled() {
    return bool("mesh.registration.enabled", true);
  }

  /** {@code mesh.registration.service}, default the {@link #localService()}. */
  public @Nullable String registrationService() {
    String v = get("mesh.registration.service");
    return v == null || v.isEmpty() ? localService : ServiceNames.canonical("mesh.registration.service", v);
  }

  /** {@code mesh.registration.host}, or {@code null} (then {@code server.address} or the first non-loopback address). */
  public @Nullable String registrationHost() {
    String v = get("mesh.registration.host");
    return v == null || v.isEmpty() ? null : v;
  }

  /** {@code mesh.registration.port}, or 0 (then the running web server's port). */
  public int registrationPort() {
    String v = get("mesh.registration.port");
    return v == null ? 0 : ConfigValues.requireRange("mesh.registration.port", ConfigValues.parseInt(
        "mesh.registration.port", v), 0, 65535);
  }

  /**
   * {@code mesh.registration.inbound}: {@code application} (default) or {@code sidecar}, the listener registered
   * first; see {@link io.meshsdk.core.sidecar.InboundRegistration}.
   */
  public InboundMode registrationInbound() {
    String v = get("mesh.registration.inbound");
    return v == null || v.isEmpty() ? InboundMode.APPLICATION : InboundMode.parse("mesh.registration.inbound", v);
  }

  /** {@code mesh.registration.inbound-overlap}: both entries' time together in a flip, default 2 s. */
  public Duration registrationInboundOverlap() {
    return ConfigValues.requireNonNegative("mesh.registration.inbound-overlap",
        duration("mesh.registration.inbound-overlap", InboundRegistration.DEFAULT_OVERLAP));
  }

  /** {@code mesh.registration.inbound-acknowledge-timeout}: a flip's wait for the registry, default 10 s. */
  public Duration registrationInboundAcknowledgeTimeout() {
    return ConfigValues.requirePositive("mesh.registration.inbound-acknowledge-timeout",
        duration("mesh.registration.inbound-acknowledge-timeout", InboundRegistration.DEFAULT_ACKNOWLEDGE_TIMEOUT));
  }

  /** {@code mesh.registration.labels.*}: the registration's metadata. */
  public Map<String, String> registrationLabels() {
    return labels;
  }

  /** {@code mesh.config.file}: a properties file watched for {@code mesh.*} changes, or {@code null}. */
  public @Nullable Path configFile() {
    String v = get("mesh.config.file");
    return v == null || v.isEmpty() ? null : Path.of(v);
  }

  /** {@code mesh.config.poll-interval}, default 2 s. */
  public Duration configPollInterval() {
    Duration d = duration("mesh.config.poll-interval", Duration.ofSeconds(2));
    return ConfigValues.requirePositive("mesh.config.poll-interval", d);
  }

  /** {@code mesh.tracing.enabled}, default {@code true} (when mesh-tracing is on the class path). */
  public boolean tracingEnabled() {
    return bool("mesh.tracing.enabled", true);
  }

  /**
   * {@code mesh.tracing.server-spans}: {@code auto} (default: the filter starts a SERVER span unless Micrometer
   * Tracing is present, whose server observation already does), {@code always} or {@code never}.
   */
  public String serverSpans() {
    String v = get("mesh.tracing.server-spans");
    String s = v == null ? "auto" : v.toLowerCase(Locale.ROOT);
    if (!List.of("auto", "always", "never").contains(s)) {
      throw new ConfigException("mesh.tracing.server-spans", String.valueOf(v), "one of auto, always, never");
    }
    return s;
  }

  /** {@code mesh.server.enabled}, default {@code true}: the inbound servlet filter. */
  public boolean serverEnabled() {
    return bool("mesh.server.enabled", true);
  }

  @Override
  public String toString() {
    return "MeshSettings" + all;
  }
}
