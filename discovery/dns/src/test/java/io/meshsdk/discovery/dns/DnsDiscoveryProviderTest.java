package io.meshsdk.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.IpVersion;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.NxdomainPolicy;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.RecordType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code dns} scheme through {@link ServiceDiscoveries}: URIs, keys, defaults, and every invalid value. */
class DnsDiscoveryProviderTest {

  private static final InetAddress LOOPBACK = address(new byte[] {127, 0, 0, 1});
  private static final InetAddress LOOPBACK6 = address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DnsServiceDiscovery create(String uri, Map<String, String> keys) {
    Map<String, String> props = new HashMap<>();
    props.put("mesh.discovery.uri", uri);
    keys.forEach((k, v) -> props.put("mesh.discovery.dns." + k, v));
    ServiceDiscovery d = ServiceDiscoveries.fromProperties(props);
    assertThat(d).isInstanceOf(DnsServiceDiscovery.class);
    return (DnsServiceDiscovery) d;
  }

  @Test
  void theSchemeIsFoundThroughTheServiceLoader() {
    assertThat(ServiceDiscoveries.schemes()).contains("dns");
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Map<String, String> keys = new HashMap<>();
    keys.put("name", "{service}.svc.example.com");
    keys.put("record", "SRV");
    keys.put("srv-prefix", "_grpc._tcp");
    keys.put("port", "9090");
    keys.put("ip", "v4");
    keys.put("min-refresh", "1s");
    keys.put("max-refresh", "10m");
    keys.put("query-timeout", "750ms");
    keys.put("secure", "true");
    keys.put("txt-labels", "true");
    keys.put("nxdomain", "delete");
    try (DnsServiceDiscovery d = create("dns://127.0.0.1:5353", keys)) {
      DnsDiscoveryConfig c = d.config();
      assertThat(d.name()).isEqualTo("dns");
      assertThat(c.resolver()).isEqualTo(new InetSocketAddress(LOOPBACK, 5353));
      assertThat(c.nameTemplate()).isEqualTo("{service}.svc.example.com");
      assertThat(c.record()).isEqualTo(RecordType.SRV);
      assertThat(c.srvPrefix()).isEqualTo("_grpc._tcp");
      assertThat(c.port()).isEqualTo(9090);
      assertThat(c.ip()).isEqualTo(IpVersion.V4);
      assertThat(c.minRefresh()).isEqualTo(Duration.ofSeconds(1));
      assertThat(c.maxRefresh()).isEqualTo(Duration.ofMinutes(10));
      assertThat(c.queryTimeout()).isEqualTo(Duration.ofMillis(750));
      assertThat(c.secure()).isTrue();
      assertThat(c.txtLabels()).isTrue();
      assertThat(c.nxdomain()).isEqualTo(NxdomainPolicy.DELETE);
    }
  }

  @Test
  void defaults() throws Exception {
    try (DnsServiceDiscovery d = create("dns:system", Map.of())) {
      DnsDiscoveryConfig c = d.config();
      assertThat(c.resolver()).as("the system's resolvers").isNull();
      assertThat(c.nameTemplate()).isEqualTo("{service}");
      assertThat(c.record()).isEqualTo(RecordType.A);
      assertThat(c.srvPrefix()).isEqualTo("_http._tcp");
      assertThat(c.port()).isEqualTo(80);
      assertThat(c.ip()).isEqualTo(IpVersion.ANY);
      assertThat(c.minRefresh()).isEqualTo(Duration.ofSeconds(2));
      assertThat(c.maxRefresh()).isEqualTo(Duration.ofMinutes(5));
      assertThat(c.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(c.secure()).isFalse();
      assertThat(c.txtLabels()).isFalse();
      assertThat(c.nxdomain()).isEqualTo(NxdomainPolicy.KEEP);
      assertThat(c.dnsName("inventory").toString()).isEqualTo("inventory.");
    }
    try (DnsServiceDiscovery d = create("dns://127.0.0.1", Map.of("secure", "true", "record", "srv"))) {
      assertThat(d.config().resolver()).isEqualTo(new InetSocketAddress(LOOPBACK, 53));
      assertThat(d.config().srvPrefix()).isEqualTo("_https._tcp");
      assertThat(d.config().port()).isEqualTo(443);
      assertThat(d.config().dnsName("pay").toString()).isEqualTo("_https._tcp.pay.");
    }
    try (DnsServiceDiscovery d = create("dns:///", Map.of())) {
      assertThat(d.config().resolver()).isNull();
    }
    try (DnsServiceDiscovery d = create("dns://[::1]:5353/", Map.of())) {
      assertThat(d.config().resolver()).isEqualTo(new InetSocketAddress(LOOPBACK6, 5353));
    }
  }

  @Test
  void aBareSchemeMeansTheSystemsResolvers() {
    try (DnsServiceDiscovery d = create("dns:", Map.of())) {
      assertThat(d.config().resolver()).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dns://resolver.example.com:53", "dns://127.0.0.1:53/path", "dns://user@127.0.0.1",
      "dns://127.0.0.1?x=1", "dns:relative", "dns://999.1.1.1"})
  void badUrisNameTheUriKey(String uri) {
    assertThatThrownBy(() -> create(uri, Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("mesh.discovery.uri");
          assertThat(e.value()).isEqualTo(uri);
          assertThat(e.expected()).contains("dns://");
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "name|svc.example.com|{service}",
      "name|{service}.{service}.example.com|{service}",
      "name|{service}..example.com|{service}",
      "name|.{service}|{service}",
      "record|mx|a or srv",
      "srv-prefix|http.tcp|_http._tcp",
      "srv-prefix|_|_http._tcp",
      "port|0|1-65535",
      "port|70000|1-65535",
      "port|eighty|an integer",
      "ip|v5|any, v4 or v6",
      "min-refresh|0|positive",
      "min-refresh|-1s|positive",
      "min-refresh|soon|a duration",
      "query-timeout|0|positive",
      "secure|yes|true or false",
      "txt-labels|1|true or false",
      "nxdomain|drop|keep or delete"})
  void badValuesNameKeyValueAndWhatIsAllowed(String key, String value, String allowed) {
    assertThatThrownBy(() -> create("dns:system", Map.of(key, value)))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("mesh.discovery.dns." + key);
          assertThat(e.getMessage()).contains(value).contains(allowed);
        });
  }

  @Test
  void maxRefreshBelowMinRefreshIsRefused() {
    assertThatThrownBy(() -> create("dns:system", Map.of("min-refresh", "10s", "max-refresh", "1s")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("mesh.discovery.dns.max-refresh");
          assertThat(e.expected()).contains("min-refresh");
        });
  }

  @Test
  void anUnknownKeyIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> create("dns:system", Map.of("timeout", "1s")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("mesh.discovery.dns.timeout");
          assertThat(e.expected()).contains("query-timeout").contains("min-refresh");
        });
  }

  @Test
  void ttlsAreClampedToMinAndMaxRefresh() {
    try (DnsServiceDiscovery d = create("dns://127.0.0.1:53", Map.of("min-refresh", "2s", "max-refresh", "1m"))) {
      assertThat(d.refreshDelay(0)).as("TTL 0: no busy loop").isEqualTo(Duration.ofSeconds(2));
      assertThat(d.refreshDelay(-1)).as("no TTL given").isEqualTo(Duration.ofSeconds(2));
      assertThat(d.refreshDelay(30)).isEqualTo(Duration.ofSeconds(30));
      assertThat(d.refreshDelay(604_800)).as("a week: not frozen").isEqualTo(Duration.ofMinutes(1));
      assertThat(d.refreshDelay(Integer.MAX_VALUE * 2L)).isEqualTo(Duration.ofMinutes(1));
    }
  }

  @Test
  void retriesBackOffFromMinRefreshToMaxRefreshWithJitter() {
    try (DnsServiceDiscovery d = create("dns://127.0.0.1:53", Map.of("min-refresh", "1s", "max-refresh", "30s"))) {
      for (int i = 0; i < 200; i++) {
        assertThat(d.backoff(1).toMillis()).isBetween(800L, 1200L);
        assertThat(d.backoff(2).toMillis()).isBetween(1600L, 2400L);
        assertThat(d.backoff(5).toMillis()).isBetween(12_800L, 19_200L);
        assertThat(d.backoff(6).toMillis()).isBetween(24_000L, 30_000L);
        assertThat(d.backoff(1000).toMillis()).isBetween(24_000L, 30_000L);
      }
    }
  }
}
