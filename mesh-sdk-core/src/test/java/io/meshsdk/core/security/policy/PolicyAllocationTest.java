package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A decision allocates nothing: measured with the thread's allocated-bytes counter around 10,000 decisions of
 * every kind (after warm-up). The bound leaves room for a stray JIT or profiler allocation, not for one object
 * per decision (10,000 decisions x 16 bytes would be 160 KB).
 */
class PolicyAllocationTest {

  @Test
  void decideAllocatesNothing() throws PolicyException {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    AccessPolicy policy = AccessPolicy.parse("""
        service orders
          default deny
          allow read caller=spiffe://prod.example/ns/web/sa/frontend method=GET,HEAD path=/orders/{id}
          deny dev caller-prefix=spiffe://prod.example/ns/dev/
          allow net trust-domain=prod.example source=10.0.0.0/8,2001:db8::/32
          allow health path=/actuator/health
        egress
          default deny
          deny writes service=billing method=POST
          allow inv service=inventory,billing
        """, "inline");
    ServicePolicy orders = policy.inbound("orders");
    EgressPolicy egress = policy.egress();
    String[] callers = {"spiffe://prod.example/ns/web/sa/frontend", "spiffe://prod.example/ns/dev/sa/x",
        "spiffe://prod.example/ns/other/sa/y", "anonymous"};
    String[] addresses = {"10.1.2.3", "2001:db8::7", "192.168.0.1", "::ffff:10.0.0.1"};
    long sink = 0;
    for (int round = 0; round < 3; round++) {
      long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
      for (int i = 0; i < 10_000; i++) {
        Decision d = orders.decide(callers[i & 3], (i & 4) == 0 ? "GET" : "POST", "/orders/42", addresses[i >> 3 & 3]);
        Decision e = egress.decide((i & 1) == 0 ? "billing" : "inventory", (i & 2) == 0 ? "GET" : "POST", "/x");
        sink += d.ruleId().length() + e.ruleId().length();
      }
      long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      if (round == 2) {
        assertThat(allocated).as("bytes allocated by 20,000 decisions").isLessThan(10_000);
      }
    }
    assertThat(sink).isPositive();
  }
}
