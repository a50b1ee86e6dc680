package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class ServiceNamesTest {

  @Test
  void hostOfAUriIsItsHostOrTheHostPartOfItsAuthority() {
    assertThat(ServiceNames.hostOf(URI.create("http://inventory/items/1"))).isEqualTo("inventory");
    assertThat(ServiceNames.hostOf(URI.create("http://Inventory:8080/x"))).isEqualTo("Inventory");
    assertThat(ServiceNames.hostOf(URI.create("http://order_service/x"))).isEqualTo("order_service");
    assertThat(ServiceNames.hostOf(URI.create("http://user:pw@order_service:9000/x"))).isEqualTo("order_service");
    assertThat(ServiceNames.hostOf(URI.create("http://[::1]:9000/"))).isEqualTo("[::1]");
    assertThat(ServiceNames.hostOf(URI.create("mailto:someone@example.org"))).isNull();
    assertThat(ServiceNames.hostOf(URI.create("/relative/path"))).isNull();
  }

  @Test
  void aLabelLongerThanADnsLabelIsRefusedBecauseNoUrlCanReachIt() {
    String longest = "a".repeat(ServiceNames.MAX_LABEL_LENGTH);
    String tooLong = longest + "a";
    assertThat(HttpUrl.parse("http://" + longest + "/items")).as("a 63-character label is a host").isNotNull();
    assertThat(HttpUrl.parse("http://" + tooLong + "/items")).as("a 64-character label is none").isNull();
    assertThat(ServiceNames.canonicalOrNull(longest)).isEqualTo(longest);
    assertThat(ServiceNames.canonicalOrNull(longest + "." + longest)).isEqualTo(longest + "." + longest);
    assertThat(ServiceNames.canonicalOrNull(tooLong)).isNull();
    assertThat(ServiceNames.canonicalOrNull("orders." + tooLong)).isNull();
    assertThatThrownBy(() -> ServiceNames.canonical("mesh.plans.canary.services", tooLong))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.plans.canary.services").hasMessageContaining("63 between dots");
  }
}
