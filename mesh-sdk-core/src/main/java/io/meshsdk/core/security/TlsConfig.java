package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where this workload's certificates are: three PEM files, the shape cert-manager, SPIRE's helper and Istio's
 * SDS-on-disk write (see {@code docs/security.md}), and how often they are checked for changes.
 *
 * <pre>{@code
 * TlsConfig tls = TlsConfig.builder()
 *     .certificateChain(Path.of("/var/run/secrets/workload/tls.crt"))
 *     .privateKey(Path.of("/var/run/secrets/workload/tls.key"))
 *     .trustBundle(Path.of("/var/run/secrets/workload/ca.crt"))
 *     .trustDomain("prod.example")
 *     .build();
 * }</pre>
 *
 * @param certificateChain the workload's certificate chain, leaf first, then intermediates (PEM)
 * @param privateKey the leaf's private key (PEM: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or
 *     SEC1 {@code EC PRIVATE KEY} on P-256 or P-384; never encrypted)
 * @param trustBundle the CA certificates peers' chains must lead to (PEM, one or more)
 * @param refreshInterval how often the files are checked for changes (default {@link #DEFAULT_REFRESH_INTERVAL})
 * @param trustDomain this workload's trust domain, checked against its own certificate's SPIFFE id when the files
 *     load ({@code null}: not checked)
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustBundle, Duration refreshInterval,
    @Nullable String trustDomain) {

  /** The property prefix {@link #fromProperties} reads. */
  public static final String PREFIX = "mesh.tls.";
  /** How often the files are checked by default: 5 s. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(5);
  private static final String KEYS = "one of " + PREFIX
      + "{certificate-chain, private-key, trust-bundle, refresh-interval, trust-domain}";

  /**
   * Validates the values.
   *
   * @throws ConfigException naming the {@code mesh.tls.*} key of an invalid value
   */
  public TlsConfig {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(trustBundle, "trustBundle");
    requireNonNull(refreshInterval, "refreshInterval");
    ConfigValues.requirePositive(PREFIX + "refresh-interval", refreshInterval);
    if (trustDomain != null) {
      try {
        SpiffeId.checkTrustDomain(trustDomain);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(PREFIX + "trust-domain", trustDomain, "a SPIFFE trust domain: " + e.getMessage());
      }
    }
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code mesh.tls.*}: {@code certificate-chain}, {@code private-key}, {@code trust-bundle} (paths, all three
   * required once any {@code mesh.tls.*} key is set), {@code refresh-interval} (default 5s) and
   * {@code trust-domain}. Keys of other prefixes are ignored.
   *
   * @return empty when no {@code mesh.tls.*} key is set
   * @throws ConfigException naming the full key of an unknown key, a missing path or an invalid value
   */
  public static Optional<TlsConfig> fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    Builder b = builder();
    boolean any = false;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX)) {
        if (key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
          throw new ConfigException(key, e.getValue(), "a key starting with \"" + PREFIX + "\" in lower case");
        }
        continue;
      }
      any = true;
      String v = requireNonNull(e.getValue(), key).trim();
      switch (key.substring(PREFIX.length())) {
        case "certificate-chain" -> b.certificateChain(path(key, v));
        case "private-key" -> b.privateKey(path(key, v));
        case "trust-bundle" -> b.trustBundle(path(key, v));
        case "refresh-interval" -> b.refreshInterval(ConfigValues.parseDuration(key, v));
        case "trust-domain" -> b.trustDomain(v.isEmpty() ? null : v);
        default -> throw new ConfigException(key, e.getValue(), KEYS);
      }
    }
    return any ? Optional.of(b.build()) : Optional.empty();
  }

  private static Path path(String key, String v) {
    if (v.isEmpty()) {
      throw new ConfigException(key, v, "the path of a PEM file");
    }
    try {
      return Path.of(v);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigException(key, v, "the path of a PEM file (" + e.getMessage() + ")");
    }
  }

  /** Builds a {@link TlsConfig}. */
  public static final class Builder {
    private @Nullable Path certificateChain;
    private @Nullable Path privateKey;
    private @Nullable Path trustBundle;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private @Nullable String trustDomain;

    private Builder() {}

    /** The certificate chain file (PEM, leaf first). Required. */
    public Builder certificateChain(Path file) {
      this.certificateChain = requireNonNull(file, "file");
      return this;
    }

    /** The private key file (PEM). Required. */
    public Builder privateKey(Path file) {
      this.privateKey = requireNonNull(file, "file");
      return this;
    }

    /** The trust bundle file (PEM CA certificates). Required. */
    public Builder trustBundle(Path file) {
      this.trustBundle = requireNonNull(file, "file");
      return this;
    }

    /** How often the files are checked for changes (default 5 s). */
    public Builder refreshInterval(Duration interval) {
      this.refreshInterval = requireNonNull(interval, "interval");
      return this;
    }

    /** This workload's trust domain, checked against its certificate (default: not checked). */
    public Builder trustDomain(@Nullable String trustDomain) {
      this.trustDomain = trustDomain;
      return this;
    }

    /**
     * Builds the config.
     *
     * @throws ConfigException naming the {@code mesh.tls.*} key of a missing file or an invalid value
     */
    public TlsConfig build() {
      return new TlsConfig(required("certificate-chain", certificateChain), required("private-key", privateKey),
          required("trust-bundle", trustBundle), refreshInterval, trustDomain);
    }

    private static Path required(String key, @Nullable Path p) {
      if (p == null) {
        throw new ConfigException(PREFIX + key, "", "the path of a PEM file (certificate-chain, private-key and"
            + " trust-bundle are all required)");
      }
      return p;
    }
  }
}
