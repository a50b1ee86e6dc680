package io.meshsdk.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.IpVersion;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.RecordType;
import io.meshsdk.testing.contract.RecordingListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DNS behaviour against a real dnsmasq: A and AAAA records, SRV ports, weights and priorities, TTLs (honoured, 0
 * clamped, huge clamped), NXDOMAIN, resolver outages and timeouts, odd names and many records. Each test uses its own
 * names, so tests do not see each other's records.
 */
class DnsServiceDiscoveryIT {

  @RegisterExtension
  static final Dnsmasq.Extension DNS = new Dnsmasq.Extension();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(closeables);
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private Dnsmasq dns() {
    return DNS.server();
  }

  private DnsServiceDiscovery discovery(Consumer<DnsDiscoveryConfig.Builder> settings) {
    DnsDiscoveryConfig.Builder b = DnsDiscoveryConfig.builder()
        .resolver(dns().address())
        .minRefresh(Duration.ofMillis(100))
        .maxRefresh(Duration.ofSeconds(1))
        .queryTimeout(Duration.ofMillis(500));
    settings.accept(b);
    DnsServiceDiscovery d = DnsServiceDiscovery.create(b.build());
    closeables.add(d);
    return d;
  }

  private RecordingListener watch(ServiceDiscovery d, String service) {
    RecordingListener l = new RecordingListener();
    closeables.add(d.watch(service, l));
    return l;
  }

  private static Map<String, Integer> weights(RecordingListener l) {
    List<Endpoint> last = l.last();
    Map<String, Integer> out = new TreeMap<>();
    if (last != null) {
      last.forEach(e -> out.put(e.id(), e.weight()));
    }
    return out;
  }

  private static Set<String> ids(String... ids) {
    return Set.of(ids);
  }

  // ---- A / AAAA ------------------------------------------------------------------------------------------------

  @Test
  void aRecordsGiveEndpointsOnTheConfiguredPortAndScheme() {
    dns().hosts("a-web", List.of("127.0.0.11 web.a.test", "127.0.0.12 web.a.test"));
    DnsServiceDiscovery d = discovery(b -> b.nameTemplate("{service}.a.test").port(8443).secure(true));
    RecordingListener l = watch(d, "web");

    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.11:8443", "127.0.0.12:8443")));
    assertThat(l.last()).allSatisfy(e -> {
      assertThat(e.secure()).isTrue();
      assertThat(e.port()).isEqualTo(8443);
      assertThat(e.weight()).isEqualTo(Endpoint.DEFAULT_WEIGHT);
      assertThat(e.service()).isEqualTo("web");
    });

    dns().hosts("a-web", List.of("127.0.0.12 web.a.test", "127.0.0.13 web.a.test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.12:8443", "127.0.0.13:8443")));
    assertThat(l.errors()).isEmpty();
    assertThat(l.overlapped()).isFalse();
  }

  @Test
  void aaaaRecordsGiveIpv6EndpointsAndIpSelectsTheFamilies() {
    dns().hosts("a-v6", List.of("::1 dual.a.test", "127.0.0.21 dual.a.test"));
    RecordingListener any = watch(discovery(b -> b.nameTemplate("{service}.a.test").port(8080)), "dual");
    RecordingListener v6 = watch(discovery(b -> b.nameTemplate("{service}.a.test").port(8080).ip(IpVersion.V6)),
        "dual");
    RecordingListener v4 = watch(discovery(b -> b.nameTemplate("{service}.a.test").port(8080).ip(IpVersion.V4)),
        "dual");

    await().atMost(Duration.ofSeconds(10)).until(() -> any.lastIds().equals(ids("[::1]:8080", "127.0.0.21:8080")));
    await().atMost(Duration.ofSeconds(10)).until(() -> v6.lastIds().equals(ids("[::1]:8080")));
    await().atMost(Duration.ofSeconds(10)).until(() -> v4.lastIds().equals(ids("127.0.0.21:8080")));
    Endpoint six = v6.last().get(0);
    assertThat(six.host()).isEqualTo("::1");
    assertThat(six.authority()).isEqualTo("[::1]:8080");
  }

  @Test
  void aNameWithRecordsOfTheOtherFamilyOnlyIsAnEmptyAnswerNotAnError() {
    dns().hosts("a-only4", List.of("127.0.0.22 only4.a.test"));
    RecordingListener l = watch(discovery(b -> b.nameTemplate("{service}.a.test").ip(IpVersion.V6)), "only4");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.last() != null);
    assertThat(l.last()).isEmpty();
    assertThat(l.errors()).isEmpty();
  }

  // ---- SRV -----------------------------------------------------------------------------------------------------

  @Test
  void srvGivesPortsAndWeightsFromTheLowestPriorityGroupOnly() {
    String n = "_http._tcp.pay.srv.test";
    List<String> preferred = List.of(
        "srv-host=" + n + ",a.pay.srv.test,9001,0,0",
        "srv-host=" + n + ",b.pay.srv.test,9002,0,5",
        "srv-host=" + n + ",c.pay.srv.test,9003,0,10",
        "srv-host=" + n + ",backup.pay.srv.test,9009,1,3",
        "host-record=a.pay.srv.test,127.0.0.31",
        "host-record=b.pay.srv.test,127.0.0.32,::1",
        "host-record=c.pay.srv.test,127.0.0.33",
        "host-record=backup.pay.srv.test,127.0.0.39");
    dns().config("srv-pay", preferred);
    RecordingListener l = watch(discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test")), "pay");

    // weight 0 stays far below the others: 5 and 10 are scaled (x100), 0 becomes the minimum weight 1
    await().atMost(Duration.ofSeconds(10)).until(() -> weights(l).equals(Map.of(
        "127.0.0.31:9001", 1, "127.0.0.32:9002", 500, "[::1]:9002", 500, "127.0.0.33:9003", 1000)));

    // the preferred targets lose their addresses: the backup group (priority 1) is used
    dns().config("srv-pay", List.of(preferred.get(0), preferred.get(1), preferred.get(2), preferred.get(3),
        preferred.get(7)));
    await().atMost(Duration.ofSeconds(10)).until(() -> weights(l).equals(Map.of("127.0.0.39:9009", 3)));
  }

  @Test
  void srvWeightsWithoutZeroAreKeptAndAllZeroWeightsAreEqual() {
    dns().config("srv-w", List.of(
        "srv-host=_http._tcp.kept.srv.test,k.w.srv.test,9101,0,7",
        "srv-host=_http._tcp.kept.srv.test,k.w.srv.test,9102,0,65535",
        "srv-host=_http._tcp.zeros.srv.test,k.w.srv.test,9201,0,0",
        "srv-host=_http._tcp.zeros.srv.test,k.w.srv.test,9202,0,0",
        "host-record=k.w.srv.test,127.0.0.35"));
    DnsServiceDiscovery d = discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test"));
    RecordingListener kept = watch(d, "kept");
    RecordingListener zeros = watch(d, "zeros");
    await().atMost(Duration.ofSeconds(10)).until(() -> weights(kept).equals(Map.of(
        "127.0.0.35:9101", 7, "127.0.0.35:9102", 65535)));
    await().atMost(Duration.ofSeconds(10)).until(() -> weights(zeros).equals(Map.of(
        "127.0.0.35:9201", 1, "127.0.0.35:9202", 1)));
  }

  @Test
  void srvTargetDotMeansNoEndpointsAndPortZeroIsSkipped() {
    dns().config("srv-odd", List.of(
        "srv-host=_http._tcp.closed.srv.test", // no target: "." (the service is decidedly not available)
        "srv-host=_http._tcp.p0.srv.test,t.p0.srv.test,0,0,1",
        "srv-host=_http._tcp.p0.srv.test,t.p0.srv.test,9301,0,1",
        "host-record=t.p0.srv.test,127.0.0.36"));
    DnsServiceDiscovery d = discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test"));
    RecordingListener closed = watch(d, "closed");
    RecordingListener p0 = watch(d, "p0");
    await().atMost(Duration.ofSeconds(10)).until(() -> closed.last() != null);
    assertThat(closed.last()).isEmpty();
    assertThat(closed.errors()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> p0.lastIds().equals(ids("127.0.0.36:9301")));
    assertThat(p0.errors()).isEmpty();
  }

  @Test
  void srvTargetsBehindCnamesAreResolvedByTheirOwnQueries() {
    dns().config("srv-cname", List.of(
        "srv-host=_http._tcp.aliased.srv.test,alias.c.srv.test,9401,0,2",
        "cname=alias.c.srv.test,real.c.srv.test",
        "host-record=real.c.srv.test,127.0.0.37"));
    RecordingListener l = watch(discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test")),
        "aliased");
    await().atMost(Duration.ofSeconds(10)).until(() -> weights(l).equals(Map.of("127.0.0.37:9401", 2)));
    assertThat(dns().queries("alias.c.srv.test", "A")).as("the target had no address in the SRV answer").isPositive();
  }

  @Test
  void srvTargetsWithoutAddressesAreSkippedAndTheRestServed() {
    dns().config("srv-partial", List.of(
        "srv-host=_http._tcp.partial.srv.test,missing.p.srv.test,9501,0,1",
        "srv-host=_http._tcp.partial.srv.test,present.p.srv.test,9502,0,1",
        "host-record=present.p.srv.test,127.0.0.38"));
    RecordingListener l = watch(discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test")),
        "partial");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.38:9502")));
    assertThat(l.errors()).isEmpty();
  }

  @Test
  void txtLabelsGiveZoneAndLabelsAndSkipStringsThatAreNotKeyValue() {
    dns().config("txt", List.of(
        "srv-host=_http._tcp.tagged.srv.test,t.txt.srv.test,9801,0,1",
        "host-record=t.txt.srv.test,127.0.0.85",
        "txt-record=t.txt.srv.test,\"zone=z9\",\"flag\",\"team=core\",\"team=other\""));
    RecordingListener l = watch(discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test")
        .txtLabels(true)), "tagged");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.85:9801")));
    Endpoint e = l.last().get(0);
    assertThat(e.zone()).isEqualTo("z9");
    assertThat(e.labels()).isEqualTo(Map.of("team", "core"));
  }

  // ---- TTL -----------------------------------------------------------------------------------------------------

  @Test
  void theTtlDecidesWhenANameIsResolvedAgainNotEachWatchOrCall() {
    dns().hosts("ttl", List.of("127.0.0.41 ttl.a.test")); // hosts-file records have dnsmasq's local-ttl: 1 s
    DnsServiceDiscovery d = discovery(b -> b.nameTemplate("{service}.a.test").minRefresh(Duration.ofMillis(20))
        .maxRefresh(Duration.ofSeconds(30)));
    RecordingListener l = watch(d, "ttl");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.41:80")));
    long first = dns().queries("ttl.a.test", "A");
    long start = System.nanoTime();

    for (int i = 0; i < 100; i++) { // more watchers and endpoint reads cause no query
      watch(d, "ttl");
      d.health();
    }
    dns().hosts("ttl", List.of("127.0.0.42 ttl.a.test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.42:80")));
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
        .until(() -> dns().queries("ttl.a.test", "A") >= first + 3);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    // with min-refresh 20 ms and no TTL, three more queries would take ~60 ms; with the 1 s TTL, about 3 s
    assertThat(elapsedMs).as("three re-resolutions at a 1 s TTL").isGreaterThanOrEqualTo(2000);
  }

  @Test
  void aTtlOfZeroIsRaisedToMinRefreshNotABusyLoop() {
    dns().config("ttl0", List.of("host-record=zero.a.test,127.0.0.51,0"));
    RecordingListener l = watch(discovery(b -> b.nameTemplate("{service}.a.test")
        .minRefresh(Duration.ofMillis(300)).maxRefresh(Duration.ofSeconds(30))), "zero");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.51:80")));
    long first = dns().queries("zero.a.test", "A");
    long start = System.nanoTime();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
        .until(() -> dns().queries("zero.a.test", "A") >= first + 3);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsedMs).as("three re-resolutions at min-refresh 300 ms (two full intervals)")
        .isGreaterThanOrEqualTo(500);
  }

  @Test
  void aHugeTtlIsLoweredToMaxRefreshSoChangesStillArrive() {
    dns().config("ttl-huge", List.of("host-record=huge.a.test,127.0.0.61,86400"));
    RecordingListener l = watch(discovery(b -> b.nameTemplate("{service}.a.test")
        .minRefresh(Duration.ofMillis(50)).maxRefresh(Duration.ofMillis(400))), "huge");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.61:80")));
    dns().config("ttl-huge", List.of("host-record=huge.a.test,127.0.0.62,86400"));
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.62:80")));
  }

  // ---- NXDOMAIN, outages ---------------------------------------------------------------------------------------

  @Test
  void nxdomainKeepsTheLastKnownGoodEndpointsByDefault() {
    List<String> records = List.of("srv-host=_http._tcp.gone.srv.test,g.gone.srv.test,9601,0,1",
        "host-record=g.gone.srv.test,127.0.0.65");
    dns().config("nx-keep", records);
    DnsServiceDiscovery d = discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test"));
    RecordingListener l = watch(d, "gone");
    Mesh mesh = Mesh.builder().discovery(d).config(MeshConfig.builder().service("gone", s -> { }).build()).build();
    closeables.add(mesh);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.65:9601"))
        && mesh.endpoints("gone").size() == 1);
    int snapshots = l.snapshots().size();

    dns().config("nx-keep", List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> l.errors().stream()
        .anyMatch(e -> e instanceof UnknownHostException && e.getMessage().contains("NXDOMAIN")));
    assertThat(l.deletions()).isZero();
    assertThat(l.snapshots()).hasSize(snapshots);
    assertThat(mesh.endpoints("gone").size()).as("last-known-good in the mesh").isEqualTo(1);
    assertThat(d.health().connected()).as("the resolver answers: NXDOMAIN is no outage").isTrue();

    dns().config("nx-keep", List.of("srv-host=_http._tcp.gone.srv.test,g.gone.srv.test,9602,0,1",
        "host-record=g.gone.srv.test,127.0.0.65"));
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.65:9602")));
  }

  @Test
  void aResolverStoppedMidWatchKeepsTheLastKnownGoodThenRecovers() {
    dns().hosts("outage", List.of("127.0.0.71 outage.a.test"));
    DnsServiceDiscovery d = discovery(b -> b.nameTemplate("{service}.a.test"));
    RecordingListener l = watch(d, "outage");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.71:80")));
    int snapshots = l.snapshots().size();

    dns().stop();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> !l.errors().isEmpty());
      assertThat(l.errors().get(0)).hasMessageContaining("no usable answer from 127.0.0.1:" + dns().port());
      assertThat(l.snapshots()).as("no empty push while the resolver is down").hasSize(snapshots);
      assertThat(d.health().connected()).isFalse();
      assertThat(d.health().lastError()).contains("outage.a.test");
    } finally {
      dns().restart();
    }
    dns().hosts("outage", List.of("127.0.0.72 outage.a.test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.72:80")));
    assertThat(d.health().connected()).isTrue();
  }

  @Test
  void aDeadResolverPortIsAnErrorNeverAnEmptyList() {
    DnsServiceDiscovery d = DnsServiceDiscovery.create(DnsDiscoveryConfig.builder()
        .resolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), Dnsmasq.deadPort()))
        .minRefresh(Duration.ofMillis(100)).maxRefresh(Duration.ofSeconds(1))
        .queryTimeout(Duration.ofMillis(300)).build());
    closeables.add(d);
    RecordingListener l = watch(d, "nobody");
    await().atMost(Duration.ofSeconds(10)).until(() -> !l.errors().isEmpty());
    assertThat(l.snapshots()).isEmpty();
    assertThat(d.health().connected()).isFalse();
  }

  @Test
  void aSilentUpstreamTimesOutAndIsReportedAsAnError() {
    // dnsmasq forwards broken.test to a port where nothing answers: our query times out
    RecordingListener l = watch(discovery(b -> b.nameTemplate("{service}.broken.test")
        .queryTimeout(Duration.ofMillis(200))), "slow");
    await().atMost(Duration.ofSeconds(10)).until(() -> !l.errors().isEmpty());
    assertThat(l.errors().get(0)).hasMessageContaining("no usable answer");
    assertThat(l.snapshots()).isEmpty();
  }

  @Test
  void servfailAndGarbageAnswersAreErrorsThatKeepTheLastKnownGood() {
    FaultyDnsServer server = new FaultyDnsServer();
    closeables.add(server);
    DnsServiceDiscovery d = discovery(b -> b.resolver(server.address()).nameTemplate("{service}.faulty.example")
        .port(8080));
    RecordingListener l = watch(d, "flaky");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.1:8080")));
    int snapshots = l.snapshots().size();

    server.mode(FaultyDnsServer.Mode.SERVFAIL);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.errors().stream()
        .anyMatch(e -> e.getMessage().contains("SERVFAIL")));
    assertThat(d.health().connected()).isFalse();

    int reported = l.errors().size();
    long failing = server.queries();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.queries() > failing + 3); // retried, backing off
    assertThat(l.errors()).as("the same error is reported once, not per retry").hasSize(reported);

    server.mode(FaultyDnsServer.Mode.GARBAGE);
    long before = server.queries();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.queries() > before + 2);
    assertThat(l.snapshots()).as("no push while the answers are errors or garbage").hasSize(snapshots);
    assertThat(l.errors().get(l.errors().size() - 1)).isNotNull();

    server.mode(FaultyDnsServer.Mode.OK);
    await().atMost(Duration.ofSeconds(10)).until(() -> d.health().connected());
    assertThat(l.lastIds()).isEqualTo(ids("127.0.0.1:8080"));
  }

  // ---- names and sizes -----------------------------------------------------------------------------------------

  @Test
  void oddServiceNamesResolveOrFailAloneWithoutHarmingOthers() {
    String longLabel = "x".repeat(64); // a valid service name, but no DNS label can be 64 characters long
    String tooLong = String.join(".", Collections.nCopies(4, "y".repeat(62))); // a DNS name over 255 bytes
    dns().config("odd", List.of(
        "srv-host=_http._tcp.a_b-c.d9.odd.srv.test,t.odd.srv.test,9701,0,1",
        "host-record=t.odd.srv.test,127.0.0.81"));
    DnsServiceDiscovery d = discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.odd.srv.test"));
    RecordingListener odd = watch(d, "a_b-c.d9");
    RecordingListener label = watch(d, longLabel);
    RecordingListener name = watch(d, tooLong);
    await().atMost(Duration.ofSeconds(10)).until(() -> odd.lastIds().equals(ids("127.0.0.81:9701")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !label.errors().isEmpty() && !name.errors().isEmpty());
    assertThat(label.errors().get(0)).hasMessageContaining("no valid DNS name");
    assertThat(name.errors().get(0)).hasMessageContaining("no valid DNS name");
    assertThat(odd.errors()).isEmpty();
  }

  @Test
  void manyAddressRecordsArriveOverTcp() {
    List<String> lines = new ArrayList<>();
    Set<String> expected = new java.util.HashSet<>();
    for (int i = 0; i < 300; i++) {
      String ip = "127.0." + (10 + i / 200) + "." + (1 + i % 200);
      lines.add(ip + " many.a.test");
      expected.add(ip + ":80");
    }
    dns().hosts("many", lines);
    RecordingListener l = watch(discovery(b -> b.nameTemplate("{service}.a.test").ip(IpVersion.V4)), "many");
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(expected));
  }

  @Test
  void manySrvTargetsAreQueriedAFewAtATime() {
    List<String> lines = new ArrayList<>();
    Set<String> expected = new java.util.HashSet<>();
    for (int i = 0; i < 150; i++) {
      String ip = "127.0.20." + (1 + i);
      lines.add("srv-host=_http._tcp.fleet.srv.test,alias" + i + ".fleet.srv.test," + (10000 + i) + ",0,1");
      lines.add("cname=alias" + i + ".fleet.srv.test,real" + i + ".fleet.srv.test");
      lines.add("host-record=real" + i + ".fleet.srv.test," + ip);
      expected.add(ip + ":" + (10000 + i));
    }
    dns().config("fleet", lines);
    RecordingListener l = watch(discovery(b -> b.record(RecordType.SRV).nameTemplate("{service}.srv.test")
        .ip(IpVersion.V4).queryTimeout(Duration.ofSeconds(2))), "fleet");
    await().atMost(Duration.ofSeconds(20)).until(() -> l.lastIds().equals(expected));
    assertThat(l.errors()).isEmpty();
  }

  @Test
  void aStoppedWatchSendsNoMoreQueries() {
    dns().hosts("stopped", List.of("127.0.0.91 stopped.a.test"));
    DnsServiceDiscovery d = discovery(b -> b.nameTemplate("{service}.a.test").minRefresh(Duration.ofMillis(50)));
    RecordingListener l = new RecordingListener();
    ServiceDiscovery.Subscription sub = d.watch("stopped", l);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().equals(ids("127.0.0.91:80")));
    sub.close();
    long after = dns().queries("stopped.a.test", "A");
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
        .until(() -> dns().queries("stopped.a.test", "A") <= after + 1); // at most one already in flight
  }
}
