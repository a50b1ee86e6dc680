package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A mesh takes calls to the services its discovery knows as soon as {@code build()} returns, and right after a
 * reconfiguration: the picker a call reads is never behind the endpoints the mesh shows. Repeated, because the
 * discovery thread, the control thread and the caller race at start.
 */
class MeshStartIT {

  @Test
  void aServiceDiscoveryKnowsTakesCallsAsSoonAsTheMeshIsBuiltAndAfterAReconfiguration() throws Exception {
    try (LoopbackBackend b = LoopbackBackend.start("inventory-1")) {
      for (int round = 0; round < 150; round++) {
        try (Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", b.host(), b.port())))
            .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "direct")).build())
            .build()) {
          OkHttpClient http = mesh.newOkHttpClient();
          try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
          }
          mesh.reconfigure(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build());
          try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
            assertThat(r.code()).as("round " + round).isEqualTo(200);
          }
        }
      }
    }
  }
}
