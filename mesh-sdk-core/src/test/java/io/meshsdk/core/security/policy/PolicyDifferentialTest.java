package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.CallerNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The indexed evaluator (method, caller name, caller prefix and trust domain, path head and source-network
 * bitsets, and the checks it then leaves out) against a naive one written here: every rule in file order, deny
 * rules first, each key matched the plain way (paths by splitting, networks one {@link AddressRange} at a time).
 * Random sections of up to 150 rules (more than one 64-bit word) and random requests, including odd callers
 * (case, padding, too long, foreign characters, cut before a '/'), IPv6 and IPv4-mapped addresses, network
 * boundaries, paths with empty segments, methods in other case or named by no rule. Fixed seeds: a failure names
 * the seed, the request and the policy.
 */
class PolicyDifferentialTest {

  private static final String[] TRUST_DOMAINS = {"a.example", "b.example", "ab.example", "prod.example"};
  private static final String[] SEGMENTS = {"ns", "web", "dev", "dev-2", "sa", "x", "fe", "ops", "team-1"};
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "PURGE"};
  private static final String[] PATH_WORDS = {"orders", "items", "admin", "a", "b", "v1", "public", "x"};
  private static final String[] V4_BLOCKS = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "0.0.0.0/0",
      "192.168.0.0/16", "192.168.4.0/22", "172.16.0.0/12", "203.0.113.0/24", "255.255.255.255", "0.0.0.0/1",
      "128.0.0.0/1", "127.0.0.1"};
  private static final String[] V6_BLOCKS = {"::1", "::/0", "2001:db8::/32", "2001:db8:1::/48", "fd00::/8",
      "fd00:1::/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", "::ffff:0:0/96", "2001:db8::1", "8000::/1",
      "2001:db8:0:0:8000::/65"};
  private static final String[] ADDRESSES = {"10.1.2.3", "10.1.2.4", "10.1.3.1", "10.2.0.0", "9.255.255.255",
      "11.0.0.0", "192.168.3.255", "192.168.4.0", "192.168.7.255", "192.168.8.0", "172.15.255.255", "172.16.0.0",
      "172.31.255.255", "172.32.0.0", "203.0.113.255", "203.0.114.0", "255.255.255.255", "0.0.0.0", "127.0.0.1",
      "127.255.255.255", "128.0.0.0", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::2", "::", "2001:db8::1",
      "2001:DB8:0:0:0:0:0:2", "2001:db8:1:ffff::9", "2001:db8:2::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
      "2001:db9::", "fd00::1", "fd00:1::5", "fdff:ffff::1", "fe00::", "fe80::1%eth0",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff", "::ffff:10.1.2.3", "::ffff:192.168.4.1", "::ffff:0a01:0203",
      "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::", "2001:db8::7fff:ffff:ffff:ffff",
      "2001:db8::8000:0:0:0", "2001:db8:0:0:ffff:ffff:ffff:ffff", "010.1.2.3", "10.1.2", "x", "", "1.2.3.4 ",
      "::g", "localhost"};

  @Test
  void inboundDecisionsEqualANaiveWalk() throws PolicyException {
    for (long seed = 1; seed <= 150; seed++) {
      Random rnd = new Random(seed);
      String text = inboundPolicy(rnd);
      ServicePolicy p = AccessPolicy.parse(text, "inline").inbound("s");
      assertThat(p).isNotNull();
      for (int k = 0; k < 400; k++) {
        String caller = caller(rnd);
        String method = method(rnd);
        String path = path(rnd);
        String address = rnd.nextInt(8) == 0 ? null : pick(rnd, ADDRESSES);
        assertThat(p.decide(caller, method, path, address).ruleId())
            .as("seed %d: %s %s %s from %s\n%s", seed, caller, method, path, address, text)
            .isEqualTo(naive(p.section(), false, caller, method, path, address));
      }
    }
  }

  @Test
  void egressDecisionsEqualANaiveWalk() throws PolicyException {
    String[] services = {"billing", "ledger", "inventory", "orders", "a-b", "x.y"};
    for (long seed = 1; seed <= 100; seed++) {
      Random rnd = new Random(seed);
      StringBuilder text = new StringBuilder("egress\ndefault ").append(rnd.nextBoolean() ? "allow" : "deny")
          .append('\n');
      int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 100);
      for (int i = 0; i < n; i++) {
        text.append(rnd.nextInt(3) == 0 ? "deny" : "allow").append(" r").append(i);
        if (rnd.nextInt(3) > 0) {
          text.append(" service=").append(pick(rnd, services));
          if (rnd.nextInt(4) == 0) {
            text.append(',').append(pick(rnd, services).toUpperCase(Locale.ROOT));
          }
        }
        appendMethodAndPath(rnd, text);
        text.append('\n');
      }
      EgressPolicy p = AccessPolicy.parse(text.toString(), "inline").egress();
      assertThat(p).isNotNull();
      Section section = p.section();
      for (int k = 0; k < 300; k++) {
        String service = pick(rnd, services);
        if (rnd.nextInt(5) == 0) {
          service = service.toUpperCase(Locale.ROOT);
        } else if (rnd.nextInt(10) == 0) {
          service = "unknown-" + rnd.nextInt(3);
        }
        String method = method(rnd);
        String path = path(rnd);
        assertThat(p.decide(service, method, path).ruleId())
            .as("seed %d: %s %s %s\n%s", seed, service, method, path, text)
            .isEqualTo(naive(section, true, service, method, path, null));
      }
    }
  }

  private static String inboundPolicy(Random rnd) {
    StringBuilder text = new StringBuilder("service s\ndefault ").append(rnd.nextBoolean() ? "allow" : "deny")
        .append('\n');
    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 30 : 150);
    for (int i = 0; i < n; i++) {
      text.append(rnd.nextInt(3) == 0 ? "deny" : "allow").append(" r").append(i);
      switch (rnd.nextInt(6)) {
        case 0 -> text.append(" caller=").append(spiffe(rnd)).append(rnd.nextInt(4) == 0 ? ",anonymous" : "");
        case 1 -> text.append(" caller-prefix=").append(prefix(rnd))
            .append(rnd.nextInt(4) == 0 ? "," + prefix(rnd) : "");
        case 2 -> text.append(" trust-domain=").append(pick(rnd, TRUST_DOMAINS))
            .append(rnd.nextInt(4) == 0 ? "," + pick(rnd, TRUST_DOMAINS) : "");
        case 3 -> text.append(" caller-prefix=").append(prefix(rnd)).append(" trust-domain=")
            .append(pick(rnd, TRUST_DOMAINS));
        case 4 -> text.append(" caller=").append(spiffe(rnd)).append(" caller-prefix=").append(prefix(rnd));
        default -> { } // any caller
      }
      appendMethodAndPath(rnd, text);
      if (rnd.nextInt(3) == 0) {
        text.append(" source=").append(block(rnd));
        for (int extra = rnd.nextInt(3); extra > 0; extra--) {
          text.append(',').append(block(rnd));
        }
      }
      text.append('\n');
    }
    return text.toString();
  }

  private static void appendMethodAndPath(Random rnd, StringBuilder text) {
    if (rnd.nextInt(3) == 0) {
      text.append(" method=").append(pick(rnd, METHODS));
      if (rnd.nextBoolean()) {
        text.append(',').append(pick(rnd, METHODS).toLowerCase(Locale.ROOT));
      }
    }
    if (rnd.nextInt(2) == 0) {
      text.append(" path=").append(pattern(rnd));
      if (rnd.nextInt(4) == 0) {
        text.append(',').append(pattern(rnd));
      }
    }
  }

  private static String block(Random rnd) {
    return rnd.nextBoolean() ? pick(rnd, V4_BLOCKS) : pick(rnd, V6_BLOCKS);
  }

  private static String spiffe(Random rnd) {
    StringBuilder s = new StringBuilder("spiffe://").append(pick(rnd, TRUST_DOMAINS));
    for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
      s.append('/').append(pick(rnd, SEGMENTS));
    }
    return s.toString();
  }

  /** A caller prefix: a SPIFFE id cut after a '/' (indexed), or anywhere (not indexed). */
  private static String prefix(Random rnd) {
    String id = spiffe(rnd) + "/";
    int cut = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(id.length()) : id.length();
    if (cut == id.length() && rnd.nextBoolean()) {
      cut = id.lastIndexOf('/', id.length() - 2) + 1; // a shorter boundary prefix: nesting
    }
    String p = id.substring(0, Math.max(cut, 1));
    return rnd.nextInt(6) == 0 ? p.toUpperCase(Locale.ROOT) : p;
  }

  private static String caller(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> "anonymous";
      case 1 -> "";
      case 2 -> spiffe(rnd).toUpperCase(Locale.ROOT);
      case 3 -> "  " + spiffe(rnd) + " ";
      case 4 -> spiffe(rnd) + "/" + "z".repeat(130); // longer than any caller: anonymous
      case 5 -> spiffe(rnd) + "/\u00e9";
      case 6 -> "spiffe://" + pick(rnd, TRUST_DOMAINS); // a trust domain without its '/'
      case 7 -> spiffe(rnd) + "/";
      case 8 -> pick(rnd, SEGMENTS);
      default -> spiffe(rnd);
    };
  }

  private static String method(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> pick(rnd, METHODS).toLowerCase(Locale.ROOT);
      case 1 -> "OPTIONS";
      default -> pick(rnd, METHODS);
    };
  }

  private static String pattern(Random rnd) {
    if (rnd.nextInt(10) == 0) {
      return "/";
    }
    StringBuilder s = new StringBuilder();
    for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
      int r = rnd.nextInt(6);
      s.append('/').append(r == 0 ? "*" : r == 1 ? "{id}" : pick(rnd, PATH_WORDS));
    }
    if (rnd.nextInt(3) == 0) {
      s.append("/**");
    }
    return rnd.nextInt(12) == 0 ? "/**" : s.toString();
  }

  private static String path(Random rnd) {
    int kind = rnd.nextInt(12);
    if (kind < 4) {
      return kind == 0 ? "" : kind == 1 ? "/" : kind == 2 ? "//" + pick(rnd, PATH_WORDS) : pick(rnd, PATH_WORDS);
    }
    StringBuilder s = new StringBuilder();
    for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
      s.append('/').append(rnd.nextInt(8) == 0 ? "" : rnd.nextInt(5) == 0 ? "42" : pick(rnd, PATH_WORDS));
    }
    if (rnd.nextInt(6) == 0) {
      s.append('/');
    }
    return s.toString();
  }

  /** Every rule in file order, deny first; every key the plain way. */
  private static String naive(Section s, boolean egress, String caller, String method, String path,
      @Nullable String address) {
    String who = egress ? caller.toLowerCase(Locale.ROOT) : CallerNames.normalise(caller);
    for (Verdict v : new Verdict[] {Verdict.DENY, Verdict.ALLOW}) {
      for (Rule r : s.rules) {
        RuleSpec spec = r.spec;
        if (spec.verdict() != v) {
          continue;
        }
        String[] exact = egress ? spec.services() : spec.callers();
        if (exact.length > 0 && !List.of(exact).contains(who)) {
          continue;
        }
        if (spec.callerPrefixes().length > 0 && !anyPrefix(who, spec.callerPrefixes())) {
          continue;
        }
        if (spec.trustDomainPrefixes().length > 0 && !anyPrefix(who, spec.trustDomainPrefixes())) {
          continue;
        }
        if (spec.methods().length > 0 && !anyIgnoringCase(method, spec.methods())) {
          continue;
        }
        if (spec.paths().length > 0 && !anyPath(path, spec.paths())) {
          continue;
        }
        if (spec.sources().length > 0 && !anySource(address, spec.sources())) {
          continue;
        }
        return spec.id();
      }
    }
    return Decision.DEFAULT_RULE;
  }

  private static boolean anyPrefix(String who, String[] prefixes) {
    for (String p : prefixes) {
      if (who.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyIgnoringCase(String method, String[] methods) {
    for (String m : methods) {
      if (m.equalsIgnoreCase(method)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anySource(@Nullable String address, AddressRange[] sources) {
    for (AddressRange r : sources) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyPath(String path, PathPattern[] patterns) {
    for (PathPattern p : patterns) {
      if (pathMatches(p.text, path)) {
        return true;
      }
    }
    return false;
  }

  /** A pattern matched by splitting both at '/': literal or non-empty wildcard per segment, a last '**'. */
  static boolean pathMatches(String pattern, String path) {
    if (!path.startsWith("/")) {
      return false;
    }
    if (pattern.equals("/")) {
      return path.equals("/");
    }
    List<String> want = new ArrayList<>(List.of(pattern.substring(1).split("/", -1)));
    boolean subtree = want.get(want.size() - 1).equals("**");
    if (subtree) {
      want.remove(want.size() - 1);
    }
    String[] got = path.substring(1).split("/", -1);
    if (want.isEmpty()) { // "/**": every path
      return true;
    }
    if (subtree ? got.length < want.size() : got.length != want.size()) {
      return false;
    }
    for (int i = 0; i < want.size(); i++) {
      String w = want.get(i);
      boolean wildcard = w.equals("*") || w.startsWith("{");
      if (wildcard ? got[i].isEmpty() : !w.equals(got[i])) {
        return false;
      }
    }
    return true;
  }

  private static <T> T pick(Random rnd, T[] values) {
    return values[rnd.nextInt(values.length)];
  }
}
