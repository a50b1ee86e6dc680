package io.meshsdk.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON value of an instance key. */
class EtcdEndpointCodecTest {

  @Test
  void whatTheRegistryWritesDecodesToTheSameEndpointWithEveryLabel() {
    ServiceRegistration reg = new ServiceRegistration("inventory", "10.0.0.1", 8080,
        Map.of("zone", "eu-1a", "mesh.start-time", "2026-12-02T01:00:00Z", "q\"uote", "\\back\u0001"));
    String json = EtcdEndpointCodec.encode("id-1", reg);
    Endpoint e = EtcdEndpointCodec.decode("inventory", "id-1", json);
    assertThat(e.id()).isEqualTo("id-1");
    assertThat(e.host()).isEqualTo("10.0.0.1");
    assertThat(e.port()).isEqualTo(8080);
    assertThat(e.zone()).isEqualTo("eu-1a");
    assertThat(e.weight()).isEqualTo(1);
    assertThat(e.secure()).isFalse();
    assertThat(e.labels()).isEqualTo(reg.labels());
  }

  @Test
  void unknownFieldsAreIgnoredAndDefaultsApply() {
    Endpoint e = EtcdEndpointCodec.decode("svc", "key-id",
        "{\"host\":\"h\",\"port\":1,\"future\":{\"x\":[1,2.5e3,null,true]},\"labels\":{\"zone\":\"z\"}}");
    assertThat(e.id()).isEqualTo("key-id");
    assertThat(e.zone()).isEqualTo("z");
    Endpoint full = EtcdEndpointCodec.decode("svc", "k",
        "{\"id\":\"i\",\"service\":\"svc\",\"host\":\"h\",\"port\":2,\"secure\":true,\"weight\":7,\"zone\":\"\"}");
    assertThat(full.secure()).isTrue();
    assertThat(full.weight()).isEqualTo(7);
    assertThat(full.zone()).isEmpty();
  }

  @Test
  void garbageIsRefusedWithAReason() {
    for (String bad : new String[] {"", "null", "[]", "{", "{\"host\":\"h\"}", "{\"port\":1}",
        "{\"host\":\"h\",\"port\":\"1\"}", "{\"host\":\"h\",\"port\":70000}", "{\"host\":\"h\",\"port\":1,\"weight\":0}",
        "{\"host\":\"h\",\"port\":1,\"secure\":\"yes\"}", "{\"host\":\"h\",\"port\":1,\"service\":\"x\"}",
        "{\"host\":\"h\",\"port\":1,\"labels\":[]}", "{\"host\":\"h\",\"port\":1} trailing", "{\"host\":\"a\u0001\"}",
        "[".repeat(100_000), "{\"host\":\"h\",\"port\":1e2}"}) {
      assertThatThrownBy(() -> EtcdEndpointCodec.decode("svc", "k", bad)).as(bad.length() > 50 ? "deep" : bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
