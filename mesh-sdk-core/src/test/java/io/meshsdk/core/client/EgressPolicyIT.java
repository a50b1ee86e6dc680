package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The egress allow list: a denied call fails before anything is sent; an allowed one goes as usual. */
class EgressPolicyIT {

  private static final String POLICY = """
      egress
        default deny
        allow to-inventory service=inventory
        deny  no-billing-writes service=billing method=POST,PUT,PATCH,DELETE
        allow billing-reads service=billing
      """;

  private LoopbackBackend inventory;
  private LoopbackBackend billing;
  private LoopbackBackend search;
  private PolicyHolder holder;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void start() throws Exception {
    holder = PolicyHolder.create(AccessPolicy.parse(POLICY, "egress.conf"));
    inventory = LoopbackBackend.start("inventory");
    billing = LoopbackBackend.start("billing");
    search = LoopbackBackend.start("search");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", inventory.host(), inventory.port()),
            Endpoint.of("billing", billing.host(), billing.port()),
            Endpoint.of("search", search.host(), search.port())))
        .config(MeshConfig.builder().service("search", s -> s.set("rate-limit.permits", "1")
            .set("rate-limit.period", "1h")).build()) // one permit: a denied call must not spend it
        .policies(holder)
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void stop() {
    mesh.close();
    inventory.close();
    billing.close();
    search.close();
  }

  private int get(String url) throws Exception {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void allowedServicesAreCalledAndOthersAreRefusedBeforeAnythingIsSent() throws Exception {
    assertThat(get("http://inventory/items/1")).isEqualTo(200);
    assertThat(get("http://billing/invoices/1")).isEqualTo(200);
    assertThatThrownBy(() -> get("http://search/q"))
        .isInstanceOf(EgressDeniedException.class)
        .hasMessage("call to service 'search' denied by the default of the egress policy");
    Request post = new Request.Builder().url("http://billing/invoices")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    assertThatThrownBy(() -> http.newCall(post).execute())
        .isInstanceOfSatisfying(EgressDeniedException.class, e -> assertThat(e.ruleId())
            .isEqualTo("no-billing-writes"))
        .hasMessageContaining("denied by rule 'no-billing-writes' of the egress policy");
    assertThat(search.requests()).as("nothing reached the denied service").isZero();
    assertThat(billing.requests()).as("only the GET reached billing").isEqualTo(1);
  }

  @Test
  void everyDecisionIsCountedAndAReloadAppliesToTheNextCall() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    holder.bindTo(registry);
    assertThatThrownBy(() -> get("http://search/q")).isInstanceOf(EgressDeniedException.class);
    get("http://inventory/x");
    get("http://inventory/y");
    assertThat(registry.get("mesh.authz.decisions").tag("direction", "egress").tag("rule", "to-inventory")
        .functionCounter().count()).isEqualTo(2.0);
    assertThat(registry.get("mesh.authz.decisions").tag("direction", "egress").tag("rule", "default")
        .tag("verdict", "deny").functionCounter().count()).isEqualTo(1.0);
    assertThatThrownBy(() -> get("http://search/q")).isInstanceOf(EgressDeniedException.class);
    holder.replace(AccessPolicy.parse(POLICY + "  allow to-search service=search\n", "egress.conf"));
    assertThat(get("http://search/q")).as("the denied calls spent no rate-limit permit").isEqualTo(200);
    assertThat(mesh.resilience("search").rateLimitRejections()).isZero();
  }
}
