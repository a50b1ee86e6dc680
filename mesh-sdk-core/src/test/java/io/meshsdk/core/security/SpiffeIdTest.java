package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.testing.tls.TestCa;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://prod.example/ns/web/sa/frontend", "spiffe://td", "spiffe://a-b_c.d/x",
      "spiffe://example.org/A.b-C_9/..a/.b", "spiffe://1.2.3.4/p"})
  void validIdsRoundTrip(String id) {
    assertThat(SpiffeId.parse(id).toString()).isEqualTo(id);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "\"\"|empty",
      "http://td/x|is not a SPIFFE id",
      "SPIFFE://td/x|lower case",
      "Spiffe://td/x|lower case",
      "spiffe:///x|trust domain is empty",
      "spiffe://|trust domain is empty",
      "spiffe://TD/x|upper case is not allowed",
      "spiffe://td:8080/x|a port is not allowed",
      "spiffe://user@td/x|user info is not allowed",
      "spiffe://td/x?q=1|a query is not allowed",
      "spiffe://td/x#f|a fragment is not allowed",
      "spiffe://td?q|a query is not allowed",
      "spiffe://td/|empty segment (a trailing '/')",
      "spiffe://td//x|empty segment ('//')",
      "spiffe://td/a/./b|'.' segment",
      "spiffe://td/a/..|'..' segment",
      "spiffe://td/a%20b|percent-encoding is not allowed",
      "spiffe://td/a b|has character ' '",
      "spiffe://td/ä|has character 'ä'",
  })
  void invalidIdsNameTheProblem(String id, String problem) {
    assertThatThrownBy(() -> SpiffeId.parse(id)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void tooLongIdIsRefused() {
    String id = "spiffe://td/" + "a".repeat(2048);
    assertThatThrownBy(() -> SpiffeId.parse(id)).hasMessageContaining("bytes long (at most 2048)");
  }

  @Test
  void istioForm() {
    SpiffeId id = SpiffeId.istio("cluster.local", "shop", "orders");
    assertThat(id.toString()).isEqualTo("spiffe://cluster.local/ns/shop/sa/orders");
    assertThat(id.trustDomain()).isEqualTo("cluster.local");
    assertThat(id.path()).isEqualTo("/ns/shop/sa/orders");
    assertThat(id.isIn("cluster.local")).isTrue();
    assertThatThrownBy(() -> SpiffeId.istio("cluster.local", "a b", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromCertificate() {
    TestCa ca = TestCa.root("root");
    assertThat(SpiffeId.fromCertificate(ca.leaf().uri("spiffe://prod.example/ns/web/sa/frontend").issue()
        .certificate())).contains(SpiffeId.parse("spiffe://prod.example/ns/web/sa/frontend"));
    assertThat(SpiffeId.fromCertificate(ca.leaf().dns("web.example").issue().certificate())).isEmpty();
    assertThat(SpiffeId.fromCertificate(ca.leaf().uri("https://web.example/").issue().certificate())).isEmpty();
    assertThatThrownBy(() -> SpiffeId.fromCertificate(ca.leaf().uri("spiffe://a/x").uri("spiffe://b/y").issue()
        .certificate())).hasMessageContaining("has 2 URI SANs").hasMessageContaining("exactly one");
    assertThatThrownBy(() -> SpiffeId.fromCertificate(ca.leaf().uri("spiffe://a:1/x").issue().certificate()))
        .hasMessageContaining("URI SAN").hasMessageContaining("a port is not allowed");
  }
}
