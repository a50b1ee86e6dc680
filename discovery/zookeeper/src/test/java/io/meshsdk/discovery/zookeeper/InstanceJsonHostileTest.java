package io.meshsdk.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Node data that is not one instance is damaged, not usable. */
class InstanceJsonHostileTest {

  private static InstanceJson.Parsed parse(String json) {
    return InstanceJson.parse("inventory", "node1", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void trailingGarbageAfterTheInstanceIsUnreadable() {
    assertThat(parse("{\"address\":\"10.0.0.1\",\"port\":80}")).isInstanceOf(InstanceJson.Usable.class);
    assertThat(parse("{\"address\":\"10.0.0.1\",\"port\":80}garbage")).isInstanceOf(InstanceJson.Unreadable.class);
    assertThat(parse("{\"address\":\"10.0.0.1\",\"port\":80}{\"address\":\"10.0.0.2\",\"port\":81}"))
        .isInstanceOf(InstanceJson.Unreadable.class);
    assertThat(parse("{\"address\":\"10.0.0.1\",\"port\":80} ]]]")).isInstanceOf(InstanceJson.Unreadable.class);
  }

  @Test
  void aNonStringAddressIsUnreadable() {
    assertThat(parse("{\"address\":5,\"port\":80}")).isInstanceOf(InstanceJson.Unreadable.class);
    assertThat(parse("{\"address\":true,\"port\":80}")).isInstanceOf(InstanceJson.Unreadable.class);
  }
}
