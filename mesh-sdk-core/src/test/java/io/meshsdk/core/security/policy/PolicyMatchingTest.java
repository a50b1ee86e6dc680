package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.inbound.InboundGuard;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each key matches, and the evaluation order: deny wins, then allow, then the default. */
class PolicyMatchingTest {

  private static ServicePolicy orders(String rules) throws PolicyException {
    ServicePolicy p = AccessPolicy.parse("service orders\n" + rules, "inline").inbound("orders");
    assertThat(p).isNotNull();
    return p;
  }

  private static String rule(ServicePolicy p, String caller, String method, String path, String remote) {
    return p.decide(caller, method, path, remote).ruleId();
  }

  @Test
  void theSpecExampleDecidesAsDocumented() throws PolicyException {
    String text = """
        # inbound policy of the service this process serves
        service orders
          default deny                 # allow | deny (default allow when absent)
          mode enforce                 # enforce | dry-run (default enforce)
          allow read-orders  caller=spiffe://prod.example/ns/web/sa/frontend  method=GET,HEAD  path=/orders/{id}
          deny  block-dev    caller-prefix=spiffe://prod.example/ns/dev/
          allow same-domain  trust-domain=prod.example  source=10.0.0.0/8,::1/128
          allow health       path=/actuator/health
          allow admin-tree   caller=spiffe://prod.example/ns/ops/sa/admin path=/admin/**
        egress                          # which services this process may call
          default deny
          mode enforce
          allow to-inventory service=inventory
          deny  no-billing-writes service=billing method=POST,PUT,PATCH,DELETE
          allow billing-reads service=billing
        """;
    AccessPolicy policy = AccessPolicy.parse(text, "policy.conf");
    assertThat(policy.ruleCount()).isEqualTo(8);
    assertThat(policy.services()).containsExactly("orders");
    assertThat(policy.inbound("inventory")).isNull();
    ServicePolicy orders = policy.inbound("orders");
    assertThat(orders).isNotNull();
    String frontend = "spiffe://prod.example/ns/web/sa/frontend";
    assertThat(rule(orders, frontend, "GET", "/orders/42", "192.168.1.1")).isEqualTo("read-orders");
    assertThat(rule(orders, frontend, "POST", "/orders/42", "192.168.1.1")).isEqualTo("default");
    assertThat(orders.decide(frontend, "POST", "/orders/42", "192.168.1.1").denied()).isTrue();
    assertThat(rule(orders, frontend, "POST", "/orders/42", "10.1.2.3")).isEqualTo("same-domain");
    assertThat(rule(orders, "spiffe://prod.example/ns/dev/sa/x", "GET", "/actuator/health", "10.0.0.1"))
        .isEqualTo("block-dev"); // deny wins over the earlier-or-later allows
    assertThat(rule(orders, "anonymous", "GET", "/actuator/health", null)).isEqualTo("health");
    assertThat(rule(orders, "spiffe://prod.example/ns/ops/sa/admin", "DELETE", "/admin/users/1", null))
        .isEqualTo("admin-tree");
    assertThat(rule(orders, "spiffe://other.example/ns/ops/sa/admin", "DELETE", "/admin/users/1", "::1"))
        .isEqualTo("default");
    assertThat(rule(orders, frontend, "GET", "/x", "::1")).isEqualTo("same-domain");

    EgressPolicy egress = policy.egress();
    assertThat(egress).isNotNull();
    assertThat(egress.decide("inventory", "POST", "/items").ruleId()).isEqualTo("to-inventory");
    assertThat(egress.decide("billing", "POST", "/pay").ruleId()).isEqualTo("no-billing-writes");
    assertThat(egress.decide("billing", "POST", "/pay").denied()).isTrue();
    assertThat(egress.decide("billing", "GET", "/invoices").ruleId()).isEqualTo("billing-reads");
    assertThat(egress.decide("payments", "GET", "/").denied()).isTrue();
    assertThat(egress.decide("payments", "GET", "/").ruleId()).isEqualTo("default");
    assertThat(egress.fixedFor("inventory")).isNotNull();
    assertThat(egress.fixedFor("inventory").ruleId()).isEqualTo("to-inventory");
    assertThat(egress.fixedFor("billing")).isNull(); // a method rule names it
    assertThat(egress.fixedFor("payments").ruleId()).isEqualTo("default");
  }

  @Test
  void denyWinsWhateverTheOrderAndTheFirstMatchingRuleOfAVerdictIsReported() throws PolicyException {
    ServicePolicy p = orders("""
        allow a1 path=/x
        allow a2
        deny d1 method=POST
        deny d2
        """);
    assertThat(rule(p, "c", "GET", "/x", null)).isEqualTo("d2");
    assertThat(rule(p, "c", "POST", "/x", null)).isEqualTo("d1");
    ServicePolicy q = orders("allow a1 path=/x\nallow a2\n");
    assertThat(rule(q, "c", "GET", "/x", null)).isEqualTo("a1");
    assertThat(rule(q, "c", "GET", "/y", null)).isEqualTo("a2");
  }

  @Test
  void defaultsAreAllowWhenAbsentAndWhatTheSectionSays() throws PolicyException {
    Decision d = orders("").decide("c", "GET", "/", null);
    assertThat(d.allowed()).isTrue();
    assertThat(d.ruleId()).isEqualTo("default");
    assertThat(d.verdict()).isEqualTo(Verdict.ALLOW);
    Decision deny = orders("default deny\n").decide("c", "GET", "/", null);
    assertThat(deny.denied()).isTrue();
    assertThat(deny.allowed()).isFalse();
    assertThat(deny.describe("c")).isEqualTo("caller 'c' denied by the default of service 'orders'");
    assertThat(AccessPolicy.allowAll().inbound("orders")).isNull();
    assertThat(AccessPolicy.allowAll().egress()).isNull();
  }

  @Test
  void dryRunLetsTheRequestThroughButSaysWouldDeny() throws PolicyException {
    ServicePolicy p = orders("mode dry-run\ndefault deny\ndeny block-dev caller-prefix=spiffe://d/\n");
    Decision d = p.decide("spiffe://d/x", "GET", "/", null);
    assertThat(d.allowed()).isTrue();
    assertThat(d.wouldDeny()).isTrue();
    assertThat(d.denied()).isFalse();
    assertThat(d.dryRun()).isTrue();
    assertThat(d.verdict()).isEqualTo(Verdict.DENY);
    assertThat(d.mode()).isEqualTo("dry-run");
    assertThat(d.describe("spiffe://d/x"))
        .isEqualTo("caller 'spiffe://d/x' would be denied (dry-run) by rule 'block-dev' of service 'orders'");
    assertThat(p.decide("other", "GET", "/", null).wouldDeny()).isTrue();
  }

  @Test
  void callerIsExactAfterTheGuardsNormalisation() throws PolicyException {
    ServicePolicy p = orders("default deny\nallow a caller=spiffe://Prod.Example/ns/web/sa/Frontend,anonymous\n");
    assertThat(rule(p, "spiffe://prod.example/ns/web/sa/frontend", "GET", "/", null)).isEqualTo("a");
    assertThat(rule(p, "  SPIFFE://prod.example/ns/web/sa/frontend ", "GET", "/", null)).isEqualTo("a");
    assertThat(rule(p, "spiffe://prod.example/ns/web/sa/frontend2", "GET", "/", null)).isEqualTo("default");
    assertThat(rule(p, "anonymous", "GET", "/", null)).isEqualTo("a");
    assertThat(rule(p, "", "GET", "/", null)).isEqualTo("a"); // empty: anonymous, as the guard says
    assertThat(rule(p, "bad caller!", "GET", "/", null)).isEqualTo("a");
    for (String s : List.of("", " ", "Orders", " orders ", "a b", "spiffe://x/y", "x".repeat(129), "é", "A:B/C",
        "\torders\n", "orders\u0000")) {
      assertThat(Callers.normalise(s)).as("normalise(%s)", s).isEqualTo(InboundGuard.callerName(s));
    }
  }

  @Test
  void callerPrefixAndTrustDomain() throws PolicyException {
    ServicePolicy p = orders("""
        default deny
        allow pre caller-prefix=spiffe://prod.example/ns/web/
        allow td trust-domain=staging.example,Other.Example
        """);
    assertThat(rule(p, "spiffe://prod.example/ns/web/sa/x", "GET", "/", null)).isEqualTo("pre");
    assertThat(rule(p, "spiffe://prod.example/ns/webx/sa/x", "GET", "/", null)).isEqualTo("default");
    assertThat(rule(p, "spiffe://staging.example/ns/a/sa/b", "GET", "/", null)).isEqualTo("td");
    assertThat(rule(p, "spiffe://other.example/x", "GET", "/", null)).isEqualTo("td");
    assertThat(rule(p, "spiffe://staging.example.evil/ns/a", "GET", "/", null)).isEqualTo("default");
    assertThat(rule(p, "spiffe://staging.example", "GET", "/", null)).isEqualTo("default");
    assertThat(rule(p, "staging.example", "GET", "/", null)).isEqualTo("default"); // a plain name
  }

  @Test
  void methodsAreCaseInsensitiveAndCustomTokensWork() throws PolicyException {
    ServicePolicy p = orders("default deny\nallow r method=get,Head\nallow dav method=PROPFIND\n");
    assertThat(rule(p, "c", "GET", "/", null)).isEqualTo("r");
    assertThat(rule(p, "c", "get", "/", null)).isEqualTo("r");
    assertThat(rule(p, "c", "HEAD", "/", null)).isEqualTo("r");
    assertThat(rule(p, "c", "propfind", "/", null)).isEqualTo("dav");
    assertThat(rule(p, "c", "POST", "/", null)).isEqualTo("default");
    assertThat(rule(p, "c", "", "/", null)).isEqualTo("default");
  }

  @Test
  void pathExactTemplateAndSubtree() throws PolicyException {
    ServicePolicy p = orders("""
        default deny
        allow exact path=/a/b
        allow tpl path=/orders/{id}/items/*
        allow tree path=/admin/**
        allow root path=/
        """);
    assertThat(rule(p, "c", "GET", "/a/b", null)).isEqualTo("exact");
    assertThat(rule(p, "c", "GET", "/a/b/", null)).isEqualTo("default"); // trailing slash: another path
    assertThat(rule(p, "c", "GET", "/a//b", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "//a/b", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/a/bc", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/A/b", null)).isEqualTo("default"); // case-sensitive
    assertThat(rule(p, "c", "GET", "/orders/42/items/7", null)).isEqualTo("tpl");
    assertThat(rule(p, "c", "GET", "/orders//items/7", null)).isEqualTo("default"); // empty segment
    assertThat(rule(p, "c", "GET", "/orders/42/items/", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/orders/42/items/7/x", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/orders/%2F/items/7", null)).isEqualTo("tpl"); // literal, one segment
    assertThat(rule(p, "c", "GET", "/orders/ünï/items/ç", null)).isEqualTo("tpl");
    assertThat(rule(p, "c", "GET", "/admin", null)).isEqualTo("tree");
    assertThat(rule(p, "c", "GET", "/admin/", null)).isEqualTo("tree");
    assertThat(rule(p, "c", "GET", "/admin/x/y", null)).isEqualTo("tree");
    assertThat(rule(p, "c", "GET", "/administrator", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", null)).isEqualTo("root");
    assertThat(rule(p, "c", "GET", "", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "a/b", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/a/b?x=1", null)).isEqualTo("default"); // callers strip the query
    assertThat(rule(p, "c", "GET", "/admin/" + "x/".repeat(50_000), null)).isEqualTo("tree");
    assertThat(rule(p, "c", "GET", "/" + "a".repeat(100_000), null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/a%2Fb", null)).isEqualTo("default"); // not decoded
  }

  @Test
  void pathEncodedPatternsMatchLiterally() throws PolicyException {
    ServicePolicy p = orders("default deny\nallow enc path=/files/a%2Fb\nallow all path=/**\n");
    assertThat(rule(p, "c", "GET", "/files/a%2Fb", null)).isEqualTo("enc");
    assertThat(rule(p, "c", "GET", "/files/a/b", null)).isEqualTo("all");
    assertThat(rule(p, "c", "GET", "/", null)).isEqualTo("all");
    assertThat(rule(p, "c", "GET", "", null)).isEqualTo("default");
  }

  @Test
  void sourceCidrsIpv4AndIpv6() throws PolicyException {
    ServicePolicy p = orders("""
        default deny
        allow net source=10.0.0.0/8,192.168.1.7
        allow v6 source=2001:db8::/32,::1
        allow all4 source=0.0.0.0/0
        """);
    assertThat(rule(p, "c", "GET", "/", "10.255.0.1")).isEqualTo("net");
    assertThat(rule(p, "c", "GET", "/", "192.168.1.7")).isEqualTo("net");
    assertThat(rule(p, "c", "GET", "/", "192.168.1.8")).isEqualTo("all4");
    assertThat(rule(p, "c", "GET", "/", "::ffff:10.1.2.3")).isEqualTo("net"); // IPv4-mapped
    assertThat(rule(p, "c", "GET", "/", "2001:db8:0:0:0:0:0:1")).isEqualTo("v6");
    assertThat(rule(p, "c", "GET", "/", "2001:DB8::ffff")).isEqualTo("v6");
    assertThat(rule(p, "c", "GET", "/", "2001:db9::1")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "::1")).isEqualTo("v6");
    assertThat(rule(p, "c", "GET", "/", "0:0:0:0:0:0:0:1")).isEqualTo("v6");
    assertThat(rule(p, "c", "GET", "/", "[::1]")).isEqualTo("v6");
    assertThat(rule(p, "c", "GET", "/", "fe80::1%eth0")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "::2")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", null)).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "not-an-address")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "10.0.0.256")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "10.0.0")).isEqualTo("default");
    assertThat(rule(p, "c", "GET", "/", "")).isEqualTo("default");

    ServicePolicy all6 = orders("default deny\nallow any6 source=::/0\nallow host6 source=fe80::1/128\n");
    assertThat(rule(all6, "c", "GET", "/", "fe80::1")).isEqualTo("any6");
    assertThat(rule(all6, "c", "GET", "/", "1.2.3.4")).isEqualTo("default");
  }

  @Test
  void ipParsing() {
    assertThat(Ip.classify("127.0.0.1")).isEqualTo(0x7f000001L);
    assertThat(Ip.classify("255.255.255.255")).isEqualTo(0xffffffffL);
    assertThat(Ip.classify("1.2.3")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1.2.3.4.5")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1..3.4")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::")).isEqualTo(Ip.V6);
    assertThat(Ip.classify(":::")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1::2::3")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:2:3:4:5:6:7")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:2:3:4:5:6:7:8:9")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("12345::")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("1:")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::g")).isEqualTo(Ip.NONE);
    assertThat(Ip.classify("::ffff:1.2.3.4")).isEqualTo(0x01020304L);
    assertThat(Ip.v6("1::", 1)).isEqualTo(0x0001_0000_0000_0000L);
    assertThat(Ip.v6("1:2:3:4:5:6:7:8", 1)).isEqualTo(0x0001_0002_0003_0004L);
    assertThat(Ip.v6("1:2:3:4:5:6:7:8", 2)).isEqualTo(0x0005_0006_0007_0008L);
    assertThat(Ip.v6("::1.2.3.4", 2)).isEqualTo(0x0102_0304L);
    assertThat(Ip.v6("1:2:3:4:5:6:1.2.3.4", 2)).isEqualTo(0x0005_0006_0102_0304L);
    assertThat(Ip.v6("a:b::c:d", 1)).isEqualTo(0x000a_000b_0000_0000L);
    assertThat(Ip.v6("a:b::c:d", 2)).isEqualTo(0x0000_0000_000c_000dL);
  }

  @Test
  void egressKeysAndPrecomputation() throws PolicyException {
    EgressPolicy e = AccessPolicy.parse("""
        egress
          default deny
          allow reads service=billing,ledger method=GET path=/v1/**
          deny never service=vault
          allow anything-else-read method=GET
        """, "inline").egress();
    assertThat(e).isNotNull();
    assertThat(e.decide("billing", "GET", "/v1/x").ruleId()).isEqualTo("reads");
    assertThat(e.decide("ledger", "GET", "/v2/x").ruleId()).isEqualTo("anything-else-read");
    assertThat(e.decide("ledger", "POST", "/v1/x").ruleId()).isEqualTo("default");
    assertThat(e.decide("vault", "GET", "/v1/x").ruleId()).isEqualTo("never");
    assertThat(e.fixedFor("vault")).isNull(); // the general GET rule applies to it too
    EgressPolicy simple = AccessPolicy.parse("egress\ndefault deny\nallow a service=a\ndeny b service=b\n",
        "inline").egress();
    assertThat(simple.fixedFor("a").allowed()).isTrue();
    assertThat(simple.fixedFor("b").denied()).isTrue();
    assertThat(simple.fixedFor("c").ruleId()).isEqualTo("default");
    assertThat(simple.fixedFor("b").describe("b"))
        .isEqualTo("call to service 'b' denied by rule 'b' of the egress policy");
  }

  @Test
  void aRuleWithNoKeyMatchesEverything() throws PolicyException {
    ServicePolicy p = orders("default deny\nallow everything\n");
    assertThat(rule(p, "x", "WHATEVER", "", null)).isEqualTo("everything");
  }
}
