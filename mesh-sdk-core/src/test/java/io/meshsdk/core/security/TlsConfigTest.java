package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TlsConfigTest {

  @Test
  void readsTheFlatKeys() {
    TlsConfig c = TlsConfig.fromProperties(Map.of(
        "mesh.tls.certificate-chain", "/certs/tls.crt",
        "mesh.tls.private-key", "/certs/tls.key",
        "mesh.tls.trust-bundle", " /certs/ca.crt ",
        "mesh.tls.refresh-interval", "2s",
        "mesh.tls.trust-domain", "prod.example",
        "mesh.defaults.lb.policy", "random")).orElseThrow();
    assertThat(c).isEqualTo(new TlsConfig(Path.of("/certs/tls.crt"), Path.of("/certs/tls.key"),
        Path.of("/certs/ca.crt"), Duration.ofSeconds(2), "prod.example"));
    assertThat(TlsConfig.fromProperties(Map.of("mesh.domain", ".mesh"))).isEmpty();
    TlsConfig d = TlsConfig.fromProperties(Map.of("mesh.tls.certificate-chain", "a", "mesh.tls.private-key", "b",
        "mesh.tls.trust-bundle", "c")).orElseThrow();
    assertThat(d.refreshInterval()).isEqualTo(TlsConfig.DEFAULT_REFRESH_INTERVAL);
    assertThat(d.trustDomain()).isNull();
  }

  @Test
  void badKeysAndValuesAreNamed() {
    Map<String, String> files = Map.of("mesh.tls.certificate-chain", "a", "mesh.tls.private-key", "b",
        "mesh.tls.trust-bundle", "c");
    assertThatThrownBy(() -> TlsConfig.fromProperties(with(files, "mesh.tls.certificate", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.tls.certificate: \"x\" (expected: one of mesh.tls.{certificate-chain, private-key,"
            + " trust-bundle, refresh-interval, trust-domain})");
    assertThatThrownBy(() -> TlsConfig.fromProperties(Map.of("mesh.tls.private-key", "b")))
        .hasMessageStartingWith("mesh.tls.certificate-chain: ");
    assertThatThrownBy(() -> TlsConfig.fromProperties(with(files, "mesh.tls.refresh-interval", "0s")))
        .hasMessageStartingWith("mesh.tls.refresh-interval: ");
    assertThatThrownBy(() -> TlsConfig.fromProperties(with(files, "mesh.tls.trust-domain", "Prod")))
        .hasMessageStartingWith("mesh.tls.trust-domain: \"Prod\"").hasMessageContaining("upper case");
    assertThatThrownBy(() -> TlsConfig.fromProperties(with(files, "Mesh.TLS.private-key", "b")))
        .hasMessageContaining("in lower case");
  }

  @Test
  void serviceTlsKeys() {
    ServiceTlsConfig c = ServiceTlsConfig.OFF.with("mode", "mtls")
        .with("identity", "spiffe://td/ns/a/sa/x, spiffe://td/ns/a/sa/y");
    assertThat(c.isMtls()).isTrue();
    assertThat(c.identities()).containsExactlyInAnyOrder(SpiffeId.parse("spiffe://td/ns/a/sa/x"),
        SpiffeId.parse("spiffe://td/ns/a/sa/y"));
    assertThat(c).hasToString("mtls identity=spiffe://td/ns/a/sa/x,spiffe://td/ns/a/sa/y");
    assertThat(ServiceTlsConfig.OFF.with("trust-domain", "td").trustDomain()).isEqualTo("td");
    assertThatThrownBy(() -> c.with("mode", "tls")).hasMessage("tls.mode: \"tls\" (expected: off or mtls)");
    assertThatThrownBy(() -> c.with("identity", "spiffe://td/a,,spiffe://td/b"))
        .hasMessageStartingWith("tls.identity: ");
    assertThatThrownBy(() -> c.with("identity", "https://td/a")).hasMessageContaining("is not a SPIFFE id");
    assertThatThrownBy(() -> c.with("trust-domain", "td:1")).hasMessageStartingWith("tls.trust-domain: ");
    assertThatThrownBy(() -> c.with("verify", "x")).hasMessageStartingWith("tls.verify: ");
  }

  @Test
  void expectationOrder() {
    SpiffeId orders = SpiffeId.parse("spiffe://td/ns/shop/sa/orders");
    SpiffeId other = SpiffeId.parse("spiffe://td/ns/shop/sa/other");
    ServiceTlsConfig mtls = ServiceTlsConfig.OFF.with("mode", "mtls");
    ServiceTlsConfig byId = mtls.with("identity", orders.toString()).with("trust-domain", "td");
    assertThat(byId.expectationFor("orders", other.toString()).accepts(orders)).isTrue();
    assertThat(byId.expectationFor("orders", null).mismatch(other))
        .isEqualTo("service 'orders' expects " + orders + " (from mesh.services.orders.tls.identity)");
    ServiceTlsConfig byDomain = mtls.with("trust-domain", "td");
    assertThat(byDomain.expectationFor("orders", orders.toString()).accepts(other)).isTrue();
    assertThat(byDomain.expectationFor("orders", null).accepts(SpiffeId.parse("spiffe://evil/x"))).isFalse();
    assertThat(mtls.expectationFor("orders", orders.toString()).accepts(orders)).isTrue();
    assertThat(mtls.expectationFor("orders", orders.toString()).mismatch(other))
        .contains("discovery label spiffe-id");
    assertThat(mtls.expectationFor("orders", null).mismatch(orders))
        .contains("no server identity is configured for service 'orders'")
        .contains("mesh.services.orders.tls.identity");
    assertThat(mtls.expectationFor("orders", "nope").mismatch(orders)).contains("is not a SPIFFE id");
    ExpectedServerIdentity both = ExpectedServerIdentity.exact("a", Set.of(orders), "x")
        .and(ExpectedServerIdentity.exact("b", Set.of(other), "y"));
    assertThat(both.mismatch(orders)).contains("service 'b' expects").contains("must satisfy all");
    assertThat(both.services()).containsExactly("a", "b");
  }

  @Test
  void meshConfigSkipsMeshTlsAndReadsServiceTlsKeys() {
    io.meshsdk.core.config.MeshConfig c = io.meshsdk.core.config.MeshConfig.fromProperties(Map.of(
        "mesh.tls.private-key", "/certs/tls.key",
        "mesh.tls.whatever", "read by TlsConfig, not MeshConfig",
        "mesh.defaults.tls.mode", "mtls",
        "mesh.defaults.tls.trust-domain", "prod.example",
        "mesh.services.orders.tls.identity", "spiffe://prod.example/ns/shop/sa/orders"));
    assertThat(c.defaults().tls().isMtls()).isTrue();
    assertThat(c.forService("orders").tls().identities())
        .containsExactly(SpiffeId.parse("spiffe://prod.example/ns/shop/sa/orders"));
    assertThat(c.forService("orders").tls().trustDomain()).isEqualTo("prod.example");
    assertThat(c.forService("orders").toString()).contains("tls=mtls identity=spiffe://prod.example/ns/shop/sa/orders");
    assertThatThrownBy(() -> io.meshsdk.core.config.MeshConfig.fromProperties(Map.of(
        "mesh.services.orders.tls.mode", "on"))).isInstanceOf(ConfigException.class)
        .hasMessage("mesh.services.orders.tls.mode: \"on\" (expected: off or mtls)");
    assertThatThrownBy(() -> io.meshsdk.core.config.MeshConfig.fromProperties(Map.of(
        "mesh.defaults.tls.identity", "spiffe://x/a/"))).hasMessageStartingWith("mesh.defaults.tls.identity: ");
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    java.util.HashMap<String, String> c = new java.util.HashMap<>(m);
    c.put(k, v);
    return c;
  }
}
