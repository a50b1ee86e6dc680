package io.meshsdk.benchmarks;

import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.security.policy.ServicePolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The cases of {@link PolicyDecisionBenchmark} timed in thread CPU time instead of wall time: on a loaded machine
 * (other builds on the same 2 vCPUs) the wall time of a JMH iteration includes the time the thread waited for a
 * CPU, the thread's CPU time does not. Prints CPU ns per decision per case, best of the rounds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.PolicyDecisionCpuTime [rounds] [decisions per round]
 * </pre>
 */
public final class PolicyDecisionCpuTime {

  private PolicyDecisionCpuTime() {}

  /** Runs it; arguments: rounds (default 7), decisions per round (default 2,000,000). */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    AccessPolicy policy = AccessPolicy.parse(PolicyDecisionBenchmark.policyText(), "benchmark");
    ServicePolicy orders = Objects.requireNonNull(policy.inbound("orders"));
    EgressPolicy egress = Objects.requireNonNull(policy.egress());
    String[] in = {"spiffe://prod.example/ns/web/sa/frontend", "spiffe://partner.example/ns/p/sa/q",
        "spiffe://prod.example/ns/dev-7/sa/tool", "spiffe://other.example/ns/a/sa/b"};
    Object[][] cases = {
        {"firstRuleAllow", (Supplier<Decision>) () -> orders.decide(in[0], "GET", "/orders/42", "192.168.3.4")},
        {"lastRuleAllow", (Supplier<Decision>) () -> orders.decide(in[1], "GET", "/partner/orders/42/lines",
            "203.0.113.9")},
        {"denyHit", (Supplier<Decision>) () -> orders.decide(in[2], "POST", "/orders/42", "192.168.3.4")},
        {"defaultNoMatch", (Supplier<Decision>) () -> orders.decide(in[3], "POST", "/nothing/here",
            "198.51.100.1")},
        {"egressDecide", (Supplier<Decision>) () -> egress.decide("billing", "GET", "/v1/invoices/9")},
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    System.out.printf(Locale.ROOT, "%-16s %14s%n", "case", "CPU ns/decision");
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Supplier<Decision> s = (Supplier<Decision>) c[1];
      double best = Double.MAX_VALUE;
      for (int r = 0; r < rounds; r++) {
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < perRound; i++) {
          sink += s.get().ruleId().length();
        }
        double ns = (threads.getCurrentThreadCpuTime() - start) / (double) perRound;
        if (r > 0) { // the first round warms up
          best = Math.min(best, ns);
        }
      }
      System.out.printf(Locale.ROOT, "%-16s %14.1f%n", c[0], best);
    }
    if (sink == 42) {
      System.out.println();
    }
  }
}
