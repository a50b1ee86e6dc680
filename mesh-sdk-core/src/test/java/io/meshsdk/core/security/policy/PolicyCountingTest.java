package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Counters per rule and verdict, their meters across reloads, and the throttled denial log. */
class PolicyCountingTest {

  private final FakeTicker ticker = new FakeTicker();
  private final RecordingLog log = new RecordingLog();

  private PolicyHolder holder(String text) throws PolicyException {
    return new PolicyHolder(AccessPolicy.parse(text, "inline"), Duration.ofSeconds(60), ticker, log);
  }

  private static double count(SimpleMeterRegistry registry, String service, String rule, String verdict,
      String mode) {
    FunctionCounter c = registry.find(PolicyHolder.METRIC_DECISIONS).tag("service", service).tag("rule", rule)
        .tag("verdict", verdict).tag("mode", mode).functionCounter();
    return c == null ? -1 : c.count();
  }

  @Test
  void everyDecisionIsCountedByRuleAndVerdictAndCountersSurviveAReload() throws PolicyException {
    PolicyHolder holder = holder("""
        service orders
        default deny
        allow read method=GET
        deny dev caller=dev
        egress
        allow inv service=inventory
        """);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    holder.bindTo(registry); // twice: nothing more
    ServicePolicy orders = holder.current().inbound("orders");
    for (int i = 0; i < 7; i++) {
      orders.decide("web", "GET", "/", null);
    }
    for (int i = 0; i < 3; i++) {
      orders.decide("dev", "GET", "/", null);
      orders.decide("web", "POST", "/", null);
    }
    holder.current().egress().decide("inventory", "GET", "/");
    assertThat(count(registry, "orders", "read", "allow", "enforce")).isEqualTo(7);
    assertThat(count(registry, "orders", "dev", "deny", "enforce")).isEqualTo(3);
    assertThat(count(registry, "orders", "default", "deny", "enforce")).isEqualTo(3);
    assertThat(count(registry, "egress", "inv", "allow", "enforce")).isEqualTo(1);
    assertThat(registry.find(PolicyHolder.METRIC_DECISIONS).tag("direction", "egress").functionCounters())
        .hasSize(2); // inv and the default

    // reload: "read" stays, "dev" goes, "new" comes; the egress section goes
    holder.replace(AccessPolicy.parse("service orders\ndefault deny\nallow read method=GET\nallow new\n",
        "inline"));
    assertThat(count(registry, "orders", "read", "allow", "enforce")).isEqualTo(7);
    holder.current().inbound("orders").decide("web", "GET", "/", null);
    assertThat(count(registry, "orders", "read", "allow", "enforce")).isEqualTo(8);
    assertThat(count(registry, "orders", "dev", "deny", "enforce")).isEqualTo(-1); // removed
    assertThat(count(registry, "orders", "new", "allow", "enforce")).isZero();
    assertThat(count(registry, "egress", "inv", "allow", "enforce")).isEqualTo(-1);
    assertThat(registry.find(PolicyHolder.METRIC_DECISIONS).functionCounters()).hasSize(3);
    // a decision in flight on the old policy does not resurrect a meter
    orders.decide("dev", "GET", "/", null);
    assertThat(count(registry, "orders", "dev", "deny", "enforce")).isEqualTo(-1);

    // the same rule in dry-run mode is another series (mode tag); the enforce one is dropped
    holder.replace(AccessPolicy.parse("service orders\nmode dry-run\nallow read method=GET\n", "inline"));
    assertThat(count(registry, "orders", "read", "allow", "enforce")).isEqualTo(-1);
    holder.current().inbound("orders").decide("web", "GET", "/", null);
    assertThat(count(registry, "orders", "read", "allow", "dry-run")).isEqualTo(1);

    // a registry bound later sees the current counters with their values
    SimpleMeterRegistry late = new SimpleMeterRegistry();
    holder.bindTo(late);
    assertThat(count(late, "orders", "read", "allow", "dry-run")).isEqualTo(1);
  }

  @Test
  void aServiceWithoutASectionIsNotCounted() throws PolicyException {
    PolicyHolder holder = holder("service orders\n");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    assertThat(holder.current().inbound("inventory")).isNull();
    assertThat(registry.find(PolicyHolder.METRIC_DECISIONS).functionCounters()).hasSize(1); // orders' default
  }

  @Test
  void denialsAreLoggedOncePerRulePerIntervalWithTheCountSinceTheLastLine() throws PolicyException {
    PolicyHolder holder = holder("service orders\ndeny dev caller-prefix=dev\ndeny ops caller=ops\n");
    ServicePolicy p = holder.current().inbound("orders");
    for (int i = 0; i < 1000; i++) {
      p.decide("dev-" + (i % 3), "GET", "/", null);
    }
    assertThat(log.denials).containsExactly("WARN caller 'dev-0' denied by rule 'dev' of service 'orders' x1");
    p.decide("ops", "GET", "/", null); // another rule: its own line
    assertThat(log.denials).hasSize(2);
    ticker.advance(Duration.ofSeconds(59));
    p.decide("dev-1", "GET", "/", null);
    assertThat(log.denials).hasSize(2);
    ticker.advance(Duration.ofSeconds(1));
    p.decide("dev-2", "GET", "/", null);
    assertThat(log.denials).hasSize(3);
    assertThat(log.denials.get(2)).isEqualTo("WARN caller 'dev-2' denied by rule 'dev' of service 'orders' x1001");
    for (int i = 0; i < 10; i++) {
      p.decide("allowed", "GET", "/", null); // allows are never logged
    }
    assertThat(log.denials).hasSize(3);

    // survives a reload: the throttle belongs to the rule, not to the policy object
    holder.replace(AccessPolicy.parse("service orders\ndeny dev caller-prefix=dev\n", "inline"));
    holder.current().inbound("orders").decide("dev-0", "GET", "/", null);
    assertThat(log.denials).hasSize(3);
    ticker.advance(Duration.ofSeconds(60));
    holder.current().inbound("orders").decide("dev-0", "GET", "/", null);
    assertThat(log.denials.get(3)).endsWith("x2");
  }

  @Test
  void dryRunWouldDeniesAreCountedAndLoggedAsDryRun() throws PolicyException {
    PolicyHolder holder = holder("service orders\nmode dry-run\ndefault deny\nallow ok caller=web\n");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    ServicePolicy p = holder.current().inbound("orders");
    for (int i = 0; i < 5; i++) {
      assertThat(p.decide("intruder", "GET", "/", null).allowed()).isTrue();
    }
    assertThat(count(registry, "orders", "default", "deny", "dry-run")).isEqualTo(5);
    assertThat(log.denials).containsExactly(
        "INFO caller 'intruder' would be denied (dry-run) by the default of service 'orders' x1");
  }

  @Test
  void egressDenialsAndPrecomputedDecisionsAreCountedAndLogged() throws PolicyException {
    PolicyHolder holder = holder("egress\ndefault deny\nallow inv service=inventory\n");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    EgressPolicy e = holder.current().egress();
    Decision fixed = e.fixedFor("billing");
    assertThat(fixed.denied()).isTrue();
    fixed.record("billing");
    e.decide("billing", "GET", "/");
    assertThat(count(registry, "egress", "default", "deny", "enforce")).isEqualTo(2);
    assertThat(log.denials).containsExactly(
        "WARN call to service 'billing' denied by the default of the egress policy x1");
  }
}
