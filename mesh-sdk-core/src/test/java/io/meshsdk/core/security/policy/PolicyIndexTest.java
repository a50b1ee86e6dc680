package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The indexes (by name, by caller prefix and trust domain, by path head, by method) decide exactly as a plain walk
 * over every rule in file order would: random policies and requests, fixed seeds.
 */
class PolicyIndexTest {

  private static final List<String> CALLERS = List.of("spiffe://a.example/ns/web/sa/fe",
      "spiffe://a.example/ns/dev/sa/x", "spiffe://a.example/ns/dev-2/sa/y", "spiffe://b.example/ns/web/sa/fe",
      "spiffe://c.example/x", "orders", "anonymous", "spiffe://a.example/ns/web/sa/fe2");
  private static final List<String> CALLER_KEYS = List.of("caller=spiffe://a.example/ns/web/sa/fe",
      "caller=orders,anonymous", "caller-prefix=spiffe://a.example/ns/dev/", "caller-prefix=spiffe://a.example/",
      "caller-prefix=spiffe://a.example/ns/dev", "caller-prefix=spiffe://a.example/ns/,spiffe://b.example/",
      "trust-domain=a.example", "trust-domain=b.example,c.example", "caller-prefix=ord");
  private static final List<String> METHOD_KEYS = List.of("method=GET", "method=POST,PUT", "method=GET,DELETE");
  private static final List<String> PATH_KEYS = List.of("path=/orders/{id}", "path=/admin/**", "path=/**",
      "path=/orders/*,/items", "path=/", "path=/{x}/y", "path=/items/**");
  private static final List<String> SOURCE_KEYS = List.of("source=10.0.0.0/8", "source=::1,192.168.0.0/16",
      "source=0.0.0.0/0");
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "get");
  private static final List<String> PATHS = List.of("/orders/1", "/orders", "/admin", "/admin/x", "/items",
      "/items/3", "/", "", "/a/y", "/orders/1/2", "/administrator");
  private static final List<String> ADDRESSES = List.of("10.1.1.1", "192.168.3.3", "::1", "8.8.8.8", "x");

  @Test
  void indexedDecisionsEqualAPlainWalk() throws PolicyException {
    for (long seed = 1; seed <= 200; seed++) {
      Random rnd = new Random(seed);
      StringBuilder text = new StringBuilder("service s\ndefault ").append(rnd.nextBoolean() ? "allow" : "deny")
          .append('\n');
      int n = 1 + rnd.nextInt(25);
      for (int i = 0; i < n; i++) {
        text.append(rnd.nextInt(3) == 0 ? "deny" : "allow").append(" r").append(i);
        if (rnd.nextInt(3) > 0) {
          text.append(' ').append(pick(rnd, CALLER_KEYS));
        }
        if (rnd.nextInt(3) == 0) {
          text.append(' ').append(pick(rnd, METHOD_KEYS));
        }
        if (rnd.nextInt(2) == 0) {
          text.append(' ').append(pick(rnd, PATH_KEYS));
        }
        if (rnd.nextInt(4) == 0) {
          text.append(' ').append(pick(rnd, SOURCE_KEYS));
        }
        text.append('\n');
      }
      ServicePolicy p = AccessPolicy.parse(text.toString(), "inline").inbound("s");
      for (int k = 0; k < 200; k++) {
        String caller = pick(rnd, CALLERS);
        String method = pick(rnd, METHODS);
        String path = pick(rnd, PATHS);
        String address = rnd.nextInt(5) == 0 ? null : pick(rnd, ADDRESSES);
        assertThat(p.decide(caller, method, path, address).ruleId())
            .as("seed %d: %s %s %s from %s\n%s", seed, caller, method, path, address, text)
            .isEqualTo(plainWalk(p.section(), caller, method, path, address));
      }
    }
  }

  private static String plainWalk(Section s, String caller, String method, String path, @Nullable String address) {
    String who = Callers.normalise(caller);
    String m = method.toUpperCase(java.util.Locale.ROOT);
    for (Verdict v : new Verdict[] {Verdict.DENY, Verdict.ALLOW}) {
      for (Rule r : s.rules) {
        if (r.decision.verdict() != v) {
          continue;
        }
        if (r.spec.methods().length > 0 && !List.of(r.spec.methods()).contains(m)) {
          continue;
        }
        if (!r.matches(who, -1L, path)) { // every method bit: the method was checked above
          continue;
        }
        if (r.sources.length > 0 && (address == null || !r.sourceMatches(Ip.classify(address), address))) {
          continue;
        }
        return r.spec.id();
      }
    }
    return "default";
  }

  private static String pick(Random rnd, List<String> values) {
    return values.get(rnd.nextInt(values.size()));
  }
}
