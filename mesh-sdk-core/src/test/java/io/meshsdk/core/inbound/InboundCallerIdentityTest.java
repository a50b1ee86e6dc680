package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.inbound.InboundGuard.CallerSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Who is calling: the caller header is a claim, believed only from trusted hops or when told to. */
class InboundCallerIdentityTest {

  private static InboundRequest request(@Nullable String remote, @Nullable String certificateId,
      @Nullable String header) {
    return InboundRequest.builder().method("GET").path("/orders/1").remoteAddress(remote)
        .peerIdentity(certificateId).callerHeader(header).build();
  }

  private static InboundGuard.Admission admit(InboundGuardConfig config, InboundRequest r) {
    try (InboundGuard.Admission a = InboundGuard.create(config).admit(r)) {
      return a;
    }
  }

  @Test
  void aSpoofedHeaderFromAnUntrustedPlaintextPeerIsIgnored() {
    InboundGuard.Admission a = admit(InboundGuardConfig.ofDefaults(), request("10.1.2.3", null, "admin"));
    assertThat(a.admitted()).isTrue();
    assertThat(a.caller()).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(a.callerSource()).isEqualTo(CallerSource.NONE);
  }

  @Test
  void aSpoofedHeaderCannotBorrowTheLimitsOfAnotherCaller() {
    // per-caller limit of 1 in flight: "admin" holding its slot must not stop an anonymous spoofer, and the spoofer
    // must not spend admin's slot
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults().withPerCallerMaxConcurrent(1)
        .withTrustedHops(List.of(AddressRange.parse("127.0.0.1/32"))));
    try (InboundGuard.Admission admin = guard.admit(request("127.0.0.1", null, "admin"))) {
      assertThat(admin.caller()).isEqualTo("admin");
      try (InboundGuard.Admission spoof = guard.admit(request("10.9.9.9", null, "admin"))) {
        assertThat(spoof.admitted()).isTrue();
        assertThat(spoof.caller()).isEqualTo(InboundGuard.ANONYMOUS);
      }
    }
  }

  @Test
  void theCertificateIdentityIsTheCallerAndAPlaintextHeaderCannotOverrideIt() {
    InboundGuard.Admission a = admit(InboundGuardConfig.ofDefaults().withTrustPlaintextCaller(true),
        request("10.1.2.3", "spiffe://prod.example/ns/web/sa/frontend", "admin"));
    assertThat(a.caller()).isEqualTo("spiffe://prod.example/ns/web/sa/frontend");
    assertThat(a.callerSource()).isEqualTo(CallerSource.CERTIFICATE);
  }

  @Test
  void aTrustedHopVouchesForTheCallerItForwards() {
    InboundGuardConfig c = InboundGuardConfig.fromProperties(Map.of(
        "mesh.inbound.trusted-hops", "127.0.0.1/32, ::1/128"));
    InboundGuard.Admission v4 = admit(c, request("127.0.0.1", "spiffe://prod.example/ns/mesh/sa/sidecar",
        "Orders"));
    assertThat(v4.caller()).isEqualTo("orders");
    assertThat(v4.callerSource()).isEqualTo(CallerSource.TRUSTED_HOP);
    InboundGuard.Admission v6 = admit(c, request("0:0:0:0:0:0:0:1", null, "orders"));
    assertThat(v6.caller()).isEqualTo("orders");
    InboundGuard.Admission elsewhere = admit(c, request("127.0.0.2", null, "orders"));
    assertThat(elsewhere.caller()).isEqualTo(InboundGuard.ANONYMOUS);
    InboundGuard.Admission unknownPeer = admit(c, request(null, null, "orders"));
    assertThat(unknownPeer.caller()).isEqualTo(InboundGuard.ANONYMOUS);
  }

  @Test
  void aTrustedHopWithoutAHeaderFallsBackToItsCertificate() {
    InboundGuardConfig c = InboundGuardConfig.ofDefaults()
        .withTrustedHops(List.of(AddressRange.parse("127.0.0.1")));
    InboundGuard.Admission a = admit(c, request("127.0.0.1", "spiffe://prod.example/ns/mesh/sa/sidecar", null));
    assertThat(a.caller()).isEqualTo("spiffe://prod.example/ns/mesh/sa/sidecar");
    assertThat(a.callerSource()).isEqualTo(CallerSource.CERTIFICATE);
  }

  @Test
  void plaintextCallersAreBelievedOnlyWhenExplicitlyEnabled() {
    InboundGuardConfig on = InboundGuardConfig.fromProperties(Map.of("mesh.inbound.trust-plaintext-caller", "true"));
    InboundGuard.Admission a = admit(on, request("10.1.2.3", null, "orders"));
    assertThat(a.caller()).isEqualTo("orders");
    assertThat(a.callerSource()).isEqualTo(CallerSource.PLAINTEXT_HEADER);
    InboundGuard.Admission junk = admit(on, request("10.1.2.3", null, "orders\r\nx-evil: 1"));
    assertThat(junk.caller()).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(junk.callerSource()).isEqualTo(CallerSource.NONE);
  }

  @Test
  void refusalsStillSayWhoWasRefused() {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults()
        .withPerCallerRateLimit(1, Duration.ofHours(1)));
    guard.admit(request("10.0.0.1", "spiffe://prod.example/ns/a/sa/b", null)).close();
    try (InboundGuard.Admission second = guard.admit(request("10.0.0.1", "spiffe://prod.example/ns/a/sa/b",
        null))) {
      assertThat(second.status()).isEqualTo(429);
      assertThat(second.caller()).isEqualTo("spiffe://prod.example/ns/a/sa/b");
      assertThat(second.reason()).contains("spiffe://prod.example/ns/a/sa/b");
    }
  }

  @Test
  void badTrustSettingsFailFastWithKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> InboundGuardConfig.fromProperties(Map.of("mesh.inbound.trusted-hops",
        "127.0.0.1/33")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.inbound.trusted-hops")
        .hasMessageContaining("127.0.0.1/33")
        .hasMessageContaining("over 32");
    assertThatThrownBy(() -> InboundGuardConfig.fromProperties(Map.of("mesh.inbound.trusted-hops",
        "sidecar.local")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("host names are not resolved");
    assertThatThrownBy(() -> InboundGuardConfig.fromProperties(Map.of("mesh.inbound.trust-plaintext-caller",
        "yes please")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.inbound.trust-plaintext-caller");
  }
}
