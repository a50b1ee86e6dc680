package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Backend URIs: a bare scheme means the backend's defaults; malformed ones name the key. */
class ConfigValuesUriTest {

  @Test
  void aBareSchemeIsReadAsTheBackendsDefaults() {
    URI uri = ConfigValues.parseUri("mesh.discovery.uri", " dns: ", "dns:///");
    assertThat(uri).isEqualTo(URI.create("dns:///"));
    assertThat(ConfigValues.scheme(uri)).isEqualTo("dns");
    assertThat(uri.getHost()).isNull();
    assertThat(ConfigValues.parseUri("k", "Kubernetes:", "x")).isEqualTo(URI.create("Kubernetes:///"));
  }

  @Test
  void otherUrisAreParsedAsWritten() {
    assertThat(ConfigValues.parseUri("k", "zookeeper://127.0.0.1:2181/services", "x").getPath())
        .isEqualTo("/services");
    assertThat(ConfigValues.parseUri("k", "file:relative/path", "x").getSchemeSpecificPart())
        .isEqualTo("relative/path");
  }

  @Test
  void malformedUrisNameTheKeyAndShowAnExample() {
    for (String bad : new String[] {":", "1dns:", "zk://host:2181/ bad"}) {
      assertThatThrownBy(() -> ConfigValues.parseUri("mesh.discovery.uri", bad, "zookeeper://host:2181"))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("mesh.discovery.uri")
          .hasMessageContaining("zookeeper://host:2181");
    }
  }
}
