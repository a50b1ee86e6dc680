package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The access policy in the inbound guard: decided on the established caller, before any limit is spent. */
class InboundPolicyTest {

  private static final String POLICY = """
      service orders
        default deny
        allow web        trust-domain=prod.example method=GET path=/orders/{id}
        deny  no-dev     caller-prefix=spiffe://prod.example/ns/dev/
        allow sidecar    caller=checkout
      """;

  private static InboundRequest get(String path, @Nullable String identity, @Nullable String header,
      String remote) {
    return InboundRequest.builder().method("GET").path(path).remoteAddress(remote).peerIdentity(identity)
        .callerHeader(header).build();
  }

  private static InboundGuard guard(PolicyHolder holder, InboundGuardConfig config) {
    return InboundGuard.create(config, Ticker.SYSTEM, holder, "orders");
  }

  @Test
  void allowedAndDeniedCallersAreDecidedBeforeTheApplicationRuns() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "policy.conf"));
    InboundGuard guard = guard(holder, InboundGuardConfig.ofDefaults());
    try (InboundGuard.Admission ok = guard.admit(get("/orders/7", "spiffe://prod.example/ns/web/sa/frontend",
        null, "10.0.0.1"))) {
      assertThat(ok.admitted()).isTrue();
    }
    try (InboundGuard.Admission dev = guard.admit(get("/orders/7", "spiffe://prod.example/ns/dev/sa/tool", null,
        "10.0.0.1"))) {
      assertThat(dev.status()).isEqualTo(403);
      assertThat(dev.reason()).isEqualTo("caller 'spiffe://prod.example/ns/dev/sa/tool' denied by rule 'no-dev'"
          + " of service 'orders'");
    }
    try (InboundGuard.Admission other = guard.admit(get("/admin", "spiffe://prod.example/ns/web/sa/frontend",
        null, "10.0.0.1"))) {
      assertThat(other.status()).isEqualTo(403);
      assertThat(other.reason()).contains("by the default");
    }
    assertThat(guard.inFlight()).as("a denied request holds nothing").isZero();
  }

  @Test
  void aSpoofedCallerHeaderIsJudgedAsAnonymous() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "policy.conf"));
    InboundGuard guard = guard(holder, InboundGuardConfig.ofDefaults()
        .withTrustedHops(List.of(AddressRange.parse("127.0.0.1/32"))));
    try (InboundGuard.Admission spoof = guard.admit(get("/orders/1", null, "checkout", "10.6.6.6"))) {
      assertThat(spoof.status()).isEqualTo(403);
      assertThat(spoof.caller()).isEqualTo(InboundGuard.ANONYMOUS);
    }
    try (InboundGuard.Admission viaSidecar = guard.admit(get("/orders/1", null, "checkout", "127.0.0.1"))) {
      assertThat(viaSidecar.admitted()).isTrue();
      assertThat(viaSidecar.caller()).isEqualTo("checkout");
    }
  }

  @Test
  void aDeniedCallerSpendsNoLimiterPermit() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "policy.conf"));
    InboundGuard guard = guard(holder, InboundGuardConfig.ofDefaults().withPerCallerRateLimit(1,
        Duration.ofHours(1)));
    for (int i = 0; i < 5; i++) {
      guard.admit(get("/admin", "spiffe://prod.example/ns/web/sa/frontend", null, "10.0.0.1")).close();
    }
    try (InboundGuard.Admission a = guard.admit(get("/orders/9", "spiffe://prod.example/ns/web/sa/frontend", null,
        "10.0.0.1"))) {
      assertThat(a.admitted()).as("five denials did not spend the caller's one permit").isTrue();
    }
  }

  @Test
  void dryRunLetsEverythingThroughButCountsWhatItWouldDeny() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY.replace("default deny",
        "default deny\n  mode dry-run"), "policy.conf"));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    InboundGuard guard = guard(holder, InboundGuardConfig.ofDefaults());
    try (InboundGuard.Admission a = guard.admit(get("/admin", null, null, "10.0.0.1"))) {
      assertThat(a.admitted()).isTrue();
    }
    assertThat(registry.get(PolicyHolder.METRIC_DECISIONS).tag("rule", "default").tag("verdict", "deny")
        .tag("mode", "dry-run").functionCounter().count()).isEqualTo(1.0);
  }

  @Test
  void aReloadedPolicyAppliesToTheNextRequest() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "policy.conf"));
    InboundGuard guard = guard(holder, InboundGuardConfig.ofDefaults());
    InboundRequest admin = get("/admin", "spiffe://prod.example/ns/ops/sa/admin", null, "10.0.0.1");
    try (InboundGuard.Admission before = guard.admit(admin)) {
      assertThat(before.status()).isEqualTo(403);
    }
    holder.replace(AccessPolicy.parse(POLICY + "  allow ops caller-prefix=spiffe://prod.example/ns/ops/\n",
        "policy.conf"));
    try (InboundGuard.Admission after = guard.admit(admin)) {
      assertThat(after.admitted()).isTrue();
    }
  }

  @Test
  void aServiceWithoutASectionIsNotRestricted() throws Exception {
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "policy.conf"));
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults(), Ticker.SYSTEM, holder, "billing");
    try (InboundGuard.Admission a = guard.admit(get("/anything", null, null, "10.0.0.1"))) {
      assertThat(a.admitted()).isTrue();
    }
  }
}
