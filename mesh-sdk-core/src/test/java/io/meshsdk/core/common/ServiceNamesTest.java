package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
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
}
