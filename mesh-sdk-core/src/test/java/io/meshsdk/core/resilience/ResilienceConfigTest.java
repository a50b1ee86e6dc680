package io.meshsdk.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

  @Test
  void defaultsHaveBreakerRetriesAndEjectionOnAndLimitsOff() {
    ResilienceConfig r = ServiceConfig.ofDefaults().resilience();
    assertThat(r.breaker().enabled()).isTrue();
    assertThat(r.retry().enabled()).isTrue();
    assertThat(r.retry().maxAttempts()).isEqualTo(3);
    assertThat(r.retry().statuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThat(r.retry().budgetPercent()).isEqualTo(20);
    assertThat(r.outlier().enabled()).isTrue();
    assertThat(r.outlier().maxEjectedPercent()).isEqualTo(50);
    assertThat(r.healthCheck().enabled()).isFalse();
    assertThat(r.rateLimit().enabled()).isFalse();
    assertThat(r.bulkhead().enabled()).isFalse();
    assertThat(r.timeout().perAttempt()).isZero();
    assertThat(r.timeout().call()).isZero();
  }

  @Test
  void propertiesBindEveryPolicy() {
    MeshConfig c = MeshConfig.fromProperties(Map.ofEntries(
        Map.entry("mesh.services.inventory.breaker.failure-rate-threshold", "60"),
        Map.entry("mesh.services.inventory.breaker.open-wait", "5s"),
        Map.entry("mesh.services.inventory.outlier.consecutive-failures", "3"),
        Map.entry("mesh.services.inventory.outlier.panic-threshold", "0"),
        Map.entry("mesh.services.inventory.health-check.enabled", "true"),
        Map.entry("mesh.services.inventory.health-check.path", "/ready"),
        Map.entry("mesh.services.inventory.rate-limit.permits", "50"),
        Map.entry("mesh.services.inventory.bulkhead.max-concurrent-calls", "8"),
        Map.entry("mesh.services.inventory.retry.statuses", "503,429"),
        Map.entry("mesh.services.inventory.retry.budget.percent", "10"),
        Map.entry("mesh.services.inventory.timeout.per-attempt", "200ms"),
        Map.entry("mesh.defaults.timeout.call", "2s")));
    ResilienceConfig r = c.forService("inventory").resilience();
    assertThat(r.breaker().failureRateThreshold()).isEqualTo(60);
    assertThat(r.breaker().openWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.outlier().consecutiveFailures()).isEqualTo(3);
    assertThat(r.outlier().panicThreshold()).isZero();
    assertThat(r.healthCheck().enabled()).isTrue();
    assertThat(r.healthCheck().path()).isEqualTo("/ready");
    assertThat(r.rateLimit().enabled()).isTrue();
    assertThat(r.rateLimit().permits()).isEqualTo(50);
    assertThat(r.bulkhead()).isEqualTo(BulkheadConfig.of(8));
    assertThat(r.retry().statuses()).isEqualTo(Set.of(503, 429));
    assertThat(r.retry().budgetPercent()).isEqualTo(10);
    assertThat(r.timeout().perAttempt()).isEqualTo(Duration.ofMillis(200));
    assertThat(r.timeout().call()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.defaults().resilience().timeout().call()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.defaults().resilience().rateLimit().enabled()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "breaker.failure-rate-threshold | 120 | 1-100",
      "breaker.failure-rate-threshold | 0 | 1-100",
      "breaker.slow-call-rate-threshold | -5 | 1-100",
      "breaker.slow-call-duration | -1s | a positive duration",
      "breaker.window-size | 0 | 1-100000",
      "breaker.window-size | 2147483647 | 1-100000",
      "breaker.minimum-calls | -1 | > 0",
      "breaker.open-wait | 0ms | a positive duration",
      "breaker.half-open-calls | 0 | 1-100000",
      "breaker.half-open-calls | 100001 | 1-100000",
      "breaker.enabled | yes | true or false",
      "outlier.consecutive-failures | -1 | >= 0",
      "outlier.failure-rate-threshold | 101 | 1-100",
      "outlier.failure-rate-minimum-calls | 0 | > 0",
      "outlier.failure-rate-window | -10s | a positive duration",
      "outlier.base-ejection-time | 0s | a positive duration",
      "outlier.max-ejection-time | PT1S | >= outlier.base-ejection-time",
      "outlier.max-ejected-percent | 0 | 1-100",
      "outlier.panic-threshold | 101 | 0-100",
      "outlier.interval | 0s | a positive duration",
      "health-check.path | health | a path starting with '/'",
      "health-check.interval | -1s | a positive duration",
      "health-check.jitter | -1ms | a duration >= 0",
      "health-check.timeout | 0s | a positive duration",
      "health-check.healthy-threshold | 0 | > 0",
      "health-check.unhealthy-threshold | -2 | > 0",
      "rate-limit.permits | 0 | > 0",
      "rate-limit.period | -1s | a positive duration",
      "rate-limit.max-wait | -5ms | a duration >= 0",
      "bulkhead.max-concurrent-calls | 0 | > 0",
      "retry.max-attempts | 0 | 1-10",
      "retry.max-attempts | 11 | 1-10",
      "retry.backoff | -25ms | a positive duration",
      "retry.backoff-multiplier | 0.5 | 1-10",
      "retry.max-backoff | PT0.01S | >= retry.backoff",
      "retry.jitter | 1.5 | 0-1",
      "retry.statuses | 200 | a comma-separated list of statuses 400-599",
      "retry.statuses | 503,x | a comma-separated list of statuses 400-599",
      "retry.budget.percent | 150 | 0-100",
      "retry.budget.window | 0s | a positive duration",
      "retry.budget.min-per-second | -1 | >= 0",
      "timeout.per-attempt | -200ms | a duration >= 0",
      "timeout.call | soon | a duration such as",
      "retry.unknown | 1 | a known key",
  })
  void everyInvalidValueNamesFullKeyValueAndWhatIsAllowed(String key, String value, String expected) {
    String fullKey = "mesh.services.inventory." + key;
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(fullKey, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(fullKey + ": ")
        .hasMessageContaining(value)
        .hasMessageContaining("(expected: " + expected);
  }

  @Test
  void aBreakerThatCouldNeverFillItsMinimumIsRejected() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
            "mesh.services.inventory.breaker.window-size", "10",
            "mesh.services.inventory.breaker.minimum-calls", "20")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.services.inventory.breaker.minimum-calls: 20 (expected: <= breaker.window-size (10)");
  }

  @Test
  void javaBuildersValidateInTheSetter() {
    assertThatThrownBy(() -> BreakerConfig.builder().failureRateThreshold(120))
        .isInstanceOf(ConfigException.class)
        .hasMessage("breaker.failure-rate-threshold: 120 (expected: 1-100)");
    assertThatThrownBy(() -> RetryConfig.builder().backoff(Duration.ofMillis(-1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("retry.backoff: PT-0.001S");
    assertThatThrownBy(() -> RateLimitConfig.builder().permits(0))
        .isInstanceOf(ConfigException.class)
        .hasMessage("rate-limit.permits: 0 (expected: > 0)");
  }

  @Test
  void configsAreValuesSoUnchangedServicesKeepTheirPipeline() {
    ServiceConfig a = ServiceConfig.builder().set("retry.max-attempts", "2").build();
    ServiceConfig b = ServiceConfig.builder().set("retry.max-attempts", "2").build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(ServiceConfig.ofDefaults());
  }
}
