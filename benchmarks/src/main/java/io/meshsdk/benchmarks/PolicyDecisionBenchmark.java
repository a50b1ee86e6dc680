package io.meshsdk.benchmarks;

import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.security.policy.ServicePolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One access-policy decision against a 100-rule inbound section (issue 13's goal: at most 200 ns) and a 40-rule
 * egress section. The inbound rules are a realistic mix: exact SPIFFE callers with methods and path templates,
 * caller prefixes (deny), trust domains with CIDRs, bare paths, IPv4 and IPv6 networks, method-and-path denies.
 * Cases: the first rule allows, the last rule allows (every deny rule and every earlier allow rule of the method
 * walked), a deny rule hits, no rule matches (the default). {@code -prof gc} shows the allocation: none.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PolicyDecisionBenchmark -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PolicyDecisionBenchmark {

  private ServicePolicy orders;
  private EgressPolicy egress;
  private int inboundRules;

  // inputs in fields so that the JIT cannot fold them
  private String frontend = "spiffe://prod.example/ns/web/sa/frontend";
  private String partner = "spiffe://partner.example/ns/p/sa/q";
  private String dev = "spiffe://prod.example/ns/dev-7/sa/tool";
  private String stranger = "spiffe://other.example/ns/a/sa/b";
  private String get = "GET";
  private String post = "POST";
  private String orderPath = "/orders/42";
  private String partnerPath = "/partner/orders/42/lines";
  private String nowhere = "/nothing/here";
  private String lan = "192.168.3.4";
  private String partnerAddress = "203.0.113.9";
  private String outside = "198.51.100.1";
  private String billing = "billing";
  private String invoices = "/v1/invoices/9";

  /** The 100-rule inbound section and the 40-rule egress section. */
  static String policyText() {
    StringBuilder sb = new StringBuilder("service orders\n  default deny\n");
    // 1 rule: the first one, the frontend reading orders
    sb.append("  allow frontend-reads caller=spiffe://prod.example/ns/web/sa/frontend method=GET,HEAD"
        + " path=/orders/{id},/orders/{id}/lines\n");
    // 30 exact callers with methods and templates
    for (int i = 0; i < 30; i++) {
      sb.append("  allow svc-").append(i).append(" caller=spiffe://prod.example/ns/team-").append(i % 7)
          .append("/sa/svc-").append(i).append(" method=").append(i % 3 == 0 ? "GET,POST" : "GET")
          .append(" path=/api/v").append(i % 4).append("/{resource}/*\n");
    }
    // 10 caller-prefix denies
    for (int i = 0; i < 10; i++) {
      sb.append("  deny dev-").append(i).append(" caller-prefix=spiffe://prod.example/ns/dev-").append(i)
          .append("/\n");
    }
    // 10 trust domains with CIDRs
    for (int i = 0; i < 10; i++) {
      sb.append("  allow td-").append(i).append(" trust-domain=td").append(i).append(".example source=10.")
          .append(i).append(".0.0/16,fd00:").append(i).append("::/32 method=GET\n");
    }
    // 20 bare paths with methods
    for (int i = 0; i < 20; i++) {
      sb.append("  allow path-").append(i).append(" path=/public/area-").append(i).append("/**")
          .append(i % 2 == 0 ? " method=GET" : "").append('\n');
    }
    // 10 networks
    for (int i = 0; i < 10; i++) {
      sb.append("  allow net-").append(i).append(" source=172.").append(16 + i).append(".0.0/16,2001:db8:")
          .append(i).append("::/48\n");
    }
    // 10 method-and-path denies
    for (int i = 0; i < 10; i++) {
      sb.append("  deny writes-").append(i).append(" method=POST,PUT,DELETE path=/internal/").append(i)
          .append("/**\n");
    }
    // 8 more exact callers (anonymous health checks, ops)
    sb.append("  allow health caller=anonymous path=/actuator/health,/actuator/info\n");
    for (int i = 0; i < 7; i++) {
      sb.append("  allow ops-").append(i).append(" caller=spiffe://prod.example/ns/ops/sa/op-").append(i)
          .append(" path=/admin/**\n");
    }
    // the 100th rule: a partner domain on a path from its network
    sb.append("  allow partner trust-domain=partner.example path=/partner/** source=203.0.113.0/24\n");
    sb.append("egress\n  default deny\n");
    for (int i = 0; i < 30; i++) {
      sb.append("  allow to-").append(i).append(" service=svc-").append(i).append('\n');
    }
    for (int i = 0; i < 9; i++) {
      sb.append("  deny no-writes-").append(i).append(" service=ledger-").append(i).append(" method=POST\n");
    }
    sb.append("  allow billing-reads service=billing method=GET path=/v1/**\n");
    return sb.toString();
  }

  @Setup
  public void setUp() throws Exception {
    AccessPolicy policy = AccessPolicy.parse(policyText(), "benchmark");
    orders = java.util.Objects.requireNonNull(policy.inbound("orders"));
    egress = java.util.Objects.requireNonNull(policy.egress());
    inboundRules = orders.ruleCount();
    check(inboundRules == 100, "100 inbound rules, not " + inboundRules);
    check(firstRuleAllow().ruleId().equals("frontend-reads"), "first rule");
    check(lastRuleAllow().ruleId().equals("partner"), "last rule: " + lastRuleAllow());
    check(denyHit().ruleId().equals("dev-7"), "deny hit");
    check(defaultNoMatch().ruleId().equals("default"), "default");
    check(egressDecide().ruleId().equals("billing-reads"), "egress");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark policy is not what it should be: " + what);
    }
  }

  /** The frontend reads an order: the first rule allows (after the GET deny rules were walked). */
  @Benchmark
  public Decision firstRuleAllow() {
    return orders.decide(frontend, get, orderPath, lan);
  }

  /** A partner caller: only the 100th rule allows it; every GET rule before it is tried. */
  @Benchmark
  public Decision lastRuleAllow() {
    return orders.decide(partner, get, partnerPath, partnerAddress);
  }

  /** A dev caller: a caller-prefix deny rule hits (counted, log throttled). */
  @Benchmark
  public Decision denyHit() {
    return orders.decide(dev, post, orderPath, lan);
  }

  /** A stranger: no rule matches, the default denies. */
  @Benchmark
  public Decision defaultNoMatch() {
    return orders.decide(stranger, post, nowhere, outside);
  }

  /** An egress call whose service has a method-and-path rule (decided per call). */
  @Benchmark
  public Decision egressDecide() {
    return egress.decide(billing, get, invoices);
  }
}
