package io.meshsdk.discovery.dns;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.NxdomainPolicy;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.RecordType;
import io.meshsdk.testing.contract.AbstractServiceDiscoveryContractTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The discovery contract against a real dnsmasq, in SRV mode with TXT labels: a service's endpoints are SRV records
 * at {@code _http._tcp.<service>.contract.test} (port and weight in the record), each target an A/AAAA record, and
 * an endpoint's zone and labels TXT {@code key=value} strings at its target. A service always has a marker TXT record
 * at its SRV name, so "no endpoints" is an empty answer (NODATA) and a deleted service is NXDOMAIN (this backend is
 * configured with {@code nxdomain=delete} here; the default, {@code keep}, is tested in {@link DnsServiceDiscoveryIT}).
 * The source fails by stopping dnsmasq.
 *
 * <p>One contract test does not apply: "a service that appears after the mesh started becomes a mesh host" needs a
 * backend that lists services ({@code watchServices}), which DNS cannot do; {@link DnsMeshEndToEndIT} shows such a
 * service reached by its first call under the mesh domain instead.
 */
@ExtendWith(DnsServiceDiscoveryContractIT.NotForDns.class)
class DnsServiceDiscoveryContractIT extends AbstractServiceDiscoveryContractTest {

  @RegisterExtension
  static final Dnsmasq.Extension DNS = new Dnsmasq.Extension();

  /** Skips the contract tests that need a backend able to list services, with the reason. */
  static final class NotForDns implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (context.getTestMethod().map(m -> m.getName().equals("aServiceThatAppearsAfterStartBecomesAMeshHost"))
          .orElse(false)) {
        return ConditionEvaluationResult.disabled("DNS cannot list services (watchServices): a service nobody"
            + " watches is unknown to the backend; see DnsMeshEndToEndIT for the first-call path");
      }
      return ConditionEvaluationResult.enabled("contract test");
    }
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return DnsServiceDiscovery.create(DnsDiscoveryConfig.builder()
        .resolver(DNS.server().address())
        .record(RecordType.SRV)
        .nameTemplate("{service}.contract.test")
        .txtLabels(true)
        .nxdomain(NxdomainPolicy.DELETE)
        .minRefresh(Duration.ofMillis(100))
        .maxRefresh(Duration.ofSeconds(1))
        .queryTimeout(Duration.ofMillis(500))
        .build());
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    DNS.server().config("contract:" + service, records(service, endpoints));
  }

  /** The dnsmasq lines for {@code endpoints}: endpoints without zone or labels share one target per host. */
  static List<String> records(String service, List<Endpoint> endpoints) {
    String srvName = "_http._tcp." + service + ".contract.test";
    List<String> lines = new ArrayList<>();
    lines.add("txt-record=" + srvName + ",\"marker\"");
    Set<String> targets = new java.util.HashSet<>();
    int i = 0;
    for (Endpoint e : endpoints) {
      boolean plain = e.zone().isEmpty() && e.labels().isEmpty();
      String target = plain ? "h-" + e.host().replace(':', '-').replace('.', '-') + "." + service + ".contract.test"
          : "i" + i++ + "." + service + ".contract.test";
      lines.add("srv-host=" + srvName + "," + target + "," + e.port() + ",0," + e.weight());
      if (targets.add(target)) {
        lines.add("host-record=" + target + "," + e.host());
        if (!plain) {
          StringBuilder txt = new StringBuilder("txt-record=" + target);
          if (!e.zone().isEmpty()) {
            txt.append(",\"zone=").append(e.zone()).append('"');
          }
          e.labels().forEach((k, v) -> txt.append(",\"").append(k).append('=').append(v).append('"'));
          lines.add(txt.toString());
        }
      }
    }
    return lines;
  }

  @Override
  protected void delete(String service) {
    DNS.server().config("contract:" + service, List.of());
  }

  @Override
  protected AutoCloseable breakSource() {
    DNS.server().stop();
    return () -> DNS.server().restart();
  }

  @Override
  protected Set<String> threadNamePrefixes() {
    return Set.of(DnsServiceDiscovery.THREAD_NAME);
  }
}
