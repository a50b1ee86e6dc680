package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A custom balancer that ignores {@link PickContext#alreadyTried} still has its retries go elsewhere: when it
 * returns an endpoint the call already tried, the engine takes an untried eligible one instead.
 */
class StubbornBalancerIT {

  static final String POLICY = "test-always-first";

  /** Always picks the first eligible endpoint, retries included. */
  public static final class AlwaysFirstProvider implements LoadBalancerProvider {
    @Override
    public String name() {
      return POLICY;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new LoadBalancer() {
        @Override
        public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
          EndpointState first = eligible.isEmpty() ? null : eligible.get(0);
          return ctx -> first;
        }

        @Override
        public String name() {
          return POLICY;
        }
      };
    }
  }

  @Test
  void aRetryGoesToAnUntriedEndpointWhenTheBalancerReturnsATriedOne() throws IOException {
    try (LoopbackBackend failing = LoopbackBackend.start("inventory-503").mode(LoopbackBackend.failing(503));
        LoopbackBackend healthy = LoopbackBackend.start("inventory-ok");
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", failing.host(), failing.port()),
                Endpoint.of("inventory", healthy.host(), healthy.port())))
            .config(MeshConfig.builder().service("inventory", s -> s
                .set("lb.policy", POLICY).set("outlier.enabled", "false")).build())
            .build();
        Response r = mesh.newOkHttpClient().newCall(new Request.Builder().url("http://inventory/x").build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(failing.requests()).as("the balancer's only choice, tried first").isEqualTo(1);
      assertThat(healthy.requests()).as("the retry, on the endpoint the balancer never returns").isEqualTo(1);
    }
  }
}
