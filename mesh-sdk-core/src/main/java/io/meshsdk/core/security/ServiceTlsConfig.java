package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How the mesh secures its calls to one service, keys relative to the service ({@code mesh.services.<svc>.tls.*} or
 * {@code mesh.defaults.tls.*}):
 *
 * <ul>
 *   <li>{@code tls.mode}: {@code off} (default: calls go as the URL says) or {@code mtls}: the application keeps
 *       calling {@code http://orders/...} and the mesh sends each direct call over TLS to the endpoint's port,
 *       presenting this workload's certificate and verifying the server's;
 *   <li>{@code tls.identity}: comma-separated SPIFFE ids the server may present (exact);
 *   <li>{@code tls.trust-domain}: any workload of this trust domain may serve.
 * </ul>
 *
 * <p>The server's SPIFFE id must match {@code tls.identity} when set, else {@code tls.trust-domain} when set, else the
 * endpoint's discovery label {@value #SPIFFE_ID_LABEL} (exact); with none of them a call fails closed. The server
 * is never verified against the endpoint's IP address or DNS name.
 *
 * @param mode {@code off} or {@code mtls}
 * @param identities the exact SPIFFE ids accepted of a server (empty: not configured)
 * @param trustDomain the trust domain accepted of a server ({@code null}: not configured)
 */
public record ServiceTlsConfig(Mode mode, Set<SpiffeId> identities, @Nullable String trustDomain) {

  /** The endpoint label (discovery metadata) naming the SPIFFE id an endpoint's server presents. */
  public static final String SPIFFE_ID_LABEL = "spiffe-id";

  /** TLS off: calls go as their URL says. */
  public static final ServiceTlsConfig OFF = new ServiceTlsConfig(Mode.OFF, Set.of(), null);

  /** Whether the mesh secures calls to the service. */
  public enum Mode {
    /** Calls go as the URL says ({@code http} in plaintext; {@code https} with the application's TLS settings). */
    OFF,
    /** Mutual TLS with the workload certificate and SPIFFE id verification. */
    MTLS;

    static Mode parse(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "off" -> OFF;
        case "mtls" -> MTLS;
        default -> throw new ConfigException("mode", text, "off or mtls");
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Copies and checks the values. */
  public ServiceTlsConfig {
    requireNonNull(mode, "mode");
    identities = Set.copyOf(requireNonNull(identities, "identities"));
    if (trustDomain != null) {
      try {
        SpiffeId.checkTrustDomain(trustDomain);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("trust-domain", trustDomain, "a SPIFFE trust domain: " + e.getMessage());
      }
    }
  }

  /** Whether calls are sent over mutual TLS. */
  public boolean isMtls() {
    return mode == Mode.MTLS;
  }

  /**
   * A copy with one property set, {@code key} relative to {@code tls.} ({@code mode}, {@code identity},
   * {@code trust-domain}).
   *
   * @throws ConfigException naming {@code tls.<key>}, the value and what is allowed
   */
  public ServiceTlsConfig with(String key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    try {
      return switch (key) {
        case "mode" -> new ServiceTlsConfig(Mode.parse(value), identities, trustDomain);
        case "identity" -> new ServiceTlsConfig(mode, parseIdentities(value), trustDomain);
        case "trust-domain" -> new ServiceTlsConfig(mode, identities, value.isBlank() ? null : value.trim());
        default -> throw new ConfigException(key, value, "tls.mode, tls.identity or tls.trust-domain");
      };
    } catch (ConfigException e) {
      throw e.withKeyPrefix("tls.");
    }
  }

  private static Set<SpiffeId> parseIdentities(String value) {
    Set<SpiffeId> ids = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      String id = part.trim();
      if (id.isEmpty()) {
        if (value.isBlank()) {
          return Set.of();
        }
        throw new ConfigException("identity", value, "comma-separated SPIFFE ids, none empty");
      }
      try {
        ids.add(SpiffeId.parse(id));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("identity", value, "comma-separated SPIFFE ids: " + e.getMessage());
      }
    }
    return ids;
  }

  /**
   * What a server of {@code service} at an endpoint labelled {@code spiffeIdLabel} must present: this config's
   * identities, else its trust domain, else the label; with none of them, an expectation no server meets, whose
   * message says how to configure one.
   */
  public ExpectedServerIdentity expectationFor(String service, @Nullable String spiffeIdLabel) {
    requireNonNull(service, "service");
    if (!identities.isEmpty()) {
      return ExpectedServerIdentity.exact(service, identities, "mesh.services." + service + ".tls.identity");
    }
    if (trustDomain != null) {
      return ExpectedServerIdentity.trustDomain(service, trustDomain, "mesh.services." + service + ".tls.trust-domain");
    }
    if (spiffeIdLabel != null) {
      try {
        return ExpectedServerIdentity.exact(service, Set.of(SpiffeId.parse(spiffeIdLabel.trim())),
            "the endpoint's discovery label " + SPIFFE_ID_LABEL);
      } catch (IllegalArgumentException e) {
        return ExpectedServerIdentity.unknown(service, "the endpoint's discovery label " + SPIFFE_ID_LABEL + "=\""
            + spiffeIdLabel + "\" is not a SPIFFE id (" + e.getMessage() + ")");
      }
    }
    return ExpectedServerIdentity.unknown(service, "no server identity is configured for service '" + service
        + "' (set mesh.services." + service + ".tls.identity or mesh.services." + service
        + ".tls.trust-domain, or label its endpoints " + SPIFFE_ID_LABEL + "=spiffe://...)");
  }

  @Override
  public String toString() {
    if (mode == Mode.OFF && identities.isEmpty() && trustDomain == null) {
      return "off";
    }
    StringBuilder sb = new StringBuilder(mode.toString());
    if (!identities.isEmpty()) {
      sb.append(" identity=").append(identities.stream().map(SpiffeId::toString).sorted()
          .collect(Collectors.joining(",")));
    }
    if (trustDomain != null) {
      sb.append(" trust-domain=").append(trustDomain);
    }
    return sb.toString();
  }
}
