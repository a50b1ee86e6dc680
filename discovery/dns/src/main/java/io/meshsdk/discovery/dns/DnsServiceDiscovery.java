package io.meshsdk.discovery.dns;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.discovery.AbstractServiceDiscovery;
import io.meshsdk.core.discovery.DiscoveryHealth;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.IpVersion;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.NxdomainPolicy;
import io.meshsdk.discovery.dns.DnsDiscoveryConfig.RecordType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Discovery from DNS, for services outside any registry: the endpoints of a service are the A/AAAA records of its
 * DNS name (each with a configured port), or the SRV records of {@code _http._tcp.<name>} (each target resolved to
 * its addresses, with the record's port and weight). The name of a service comes from a template such as
 * {@code {service}.svc.example.com} ({@link DnsDiscoveryConfig}).
 *
 * <ul>
 *   <li>A service is resolved only while it is watched (from {@code watchStarted} to {@code watchStopped}), on one
 *       scheduler thread named {@value #THREAD_NAME}; queries are asynchronous and nothing is resolved on the call
 *       path. Each resolution pushes a full snapshot.
 *   <li>A service is resolved again when the shortest TTL of the records its answer used expires, clamped to
 *       [{@code min-refresh}, {@code max-refresh}]: a TTL of 0 does not become a busy loop, a TTL of a week does not
 *       freeze the list.
 *   <li>SRV: only the group of the lowest priority number whose targets have addresses is used (a higher number is
 *       a backup, used when the preferred group has no address left in DNS); weights are kept as they are (SRV
 *       weight 0 becomes the smallest weight, scaled so that it stays far below its group's other weights). A
 *       target's addresses are taken from the answer's additional section when the server put them there, else
 *       queried. An SRV record with port 0 is skipped (one warning).
 *   <li>An empty answer (the name exists but has no such records, or the single SRV target ".") pushes "no
 *       endpoints" (the mesh keeps its last-known-good endpoints, as for any empty push).
 *   <li>NXDOMAIN (the name does not exist) is reported as an error of the service ({@code nxdomain=keep}, the
 *       default: the mesh keeps its last-known-good endpoints, because a name that vanished from DNS is more often a
 *       mistake in a zone push than a decommissioning), or deletes the service ({@code nxdomain=delete}).
 *   <li>SERVFAIL, REFUSED, timeouts and an unreachable resolver are reported as errors of the service (the mesh
 *       keeps its last-known-good endpoints) and retried with exponential backoff from {@code min-refresh} up to
 *       {@code max-refresh}, with jitter; {@link #health()} is not connected while any watched service fails so.
 *   <li>{@link #watchServices} lists nothing but the services being watched: DNS cannot enumerate names.
 * </ul>
 *
 * <p>dnsjava's shared I/O thread ({@code dnsjava NIO selector}) is started on the first query and lives as long as
 * the JVM (it is shared by every dnsjava resolver); this backend's own thread ends on {@link #close()}.
 */
public final class DnsServiceDiscovery extends AbstractServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(DnsServiceDiscovery.class);

  /** The name of the backend's scheduler thread. */
  public static final String THREAD_NAME = "mesh-dns-discovery";

  private static final int MAX_IN_FLIGHT = 32; // target lookups of one service at once
  private static final int MAX_CNAME_CHAIN = 8;

  private final DnsDiscoveryConfig config;
  private final Resolver resolver;
  private final String resolverName;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Executor onScheduler = this::runOnScheduler;
  private final Duration overallTimeout;
  // touched on the scheduler thread only
  private final Map<String, Watch> watches = new HashMap<>();
  // touched from query callbacks too
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private volatile @Nullable String lastError;
  private volatile @Nullable Instant lastErrorAt;
  private volatile boolean closed;

  private DnsServiceDiscovery(DnsDiscoveryConfig config) {
    super(false);
    this.config = requireNonNull(config, "config");
    InetSocketAddress server = config.resolver();
    if (server == null) {
      ExtendedResolver system = new ExtendedResolver(); // the servers of /etc/resolv.conf (or the OS's)
      for (Resolver r : system.getResolvers()) {
        r.setTimeout(config.queryTimeout());
      }
      int servers = Math.max(1, system.getResolvers().length);
      system.setTimeout(config.queryTimeout().multipliedBy(servers));
      this.resolver = system;
      this.resolverName = "system resolvers " + system;
    } else {
      SimpleResolver one = new SimpleResolver(server);
      one.setTimeout(config.queryTimeout());
      this.resolver = one;
      this.resolverName = server.getAddress().getHostAddress() + ":" + server.getPort();
    }
    // a resolution is at most: name (with a CNAME step) + target addresses + TXT; never wait forever on one
    this.overallTimeout = resolver.getTimeout().multipliedBy(6);
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, THREAD_NAME);
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** A backend with {@code config}; it queries nothing until a service is watched. */
  public static DnsServiceDiscovery create(DnsDiscoveryConfig config) {
    DnsServiceDiscovery d = new DnsServiceDiscovery(config);
    log.info("dns discovery: {} records of {} via {}, refresh {}..{}", config.record(),
        config.record() == RecordType.SRV ? config.srvPrefix() + "." + config.nameTemplate() : config.nameTemplate(),
        d.resolverName, config.minRefresh(), config.maxRefresh());
    return d;
  }

  /** The settings. */
  public DnsDiscoveryConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "dns";
  }

  @Override
  protected void watchStarted(String service) {
    runOnScheduler(() -> start(service));
  }

  @Override
  protected void watchStopped(String service) {
    runOnScheduler(() -> stop(service));
  }

  /** Not connected while a watched service fails for lack of an answer (timeout, unreachable, SERVFAIL...). */
  @Override
  public DiscoveryHealth health() {
    DiscoveryHealth base = super.health();
    boolean ok = failing.isEmpty();
    return new DiscoveryHealth(ok && base.connected(), base.lastUpdate(), ok ? base.lastError() : lastError,
        ok ? base.lastErrorAt() : lastErrorAt);
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    super.close();
  }

  // ---- the watch loop (scheduler thread) ----------------------------------------------------------------------

  private void start(String service) {
    if (closed || watches.containsKey(service)) {
      return;
    }
    Name name;
    try {
      name = config.dnsName(service);
    } catch (TextParseException e) {
      // e.g. a label longer than 63 characters: this service can never be resolved; say so, do not retry
      watches.put(service, new Watch(service, null));
      IOException error = new IOException("dns discovery: service '" + service + "' maps to no valid DNS name ("
          + e.getMessage() + ")", e);
      log.warn("{}", error.getMessage());
      reportError(service, error);
      return;
    }
    Watch w = new Watch(service, name);
    watches.put(service, w);
    resolve(w);
  }

  private void stop(String service) {
    Watch w = watches.remove(service);
    if (w != null && w.next != null) {
      w.next.cancel(false);
    }
    failing.remove(service);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the completion runs on the scheduler and catches everything
  private void resolve(Watch w) {
    Name name = requireNonNull(w.name, "name");
    CompletableFuture<Resolution> f;
    try {
      f = config.record() == RecordType.SRV ? resolveSrv(w.service, name) : resolveAddresses(w.service, name);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(overallTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((r, e) -> completed(w, r, e), onScheduler);
  }

  private void completed(Watch w, @Nullable Resolution r, @Nullable Throwable error) {
    if (closed || watches.get(w.service) != w) {
      return; // stopped meanwhile
    }
    if (error != null || r == null) {
      Throwable cause = unwrap(error);
      if (cause instanceof TimeoutException) {
        cause = new IOException("dns discovery: resolving " + w.name + " via " + resolverName + " took longer than "
            + overallTimeout.toMillis() + " ms", cause);
      }
      failed(w, cause);
      return;
    }
    failing.remove(w.service);
    w.failures = 0;
    if (!r.exists()) {
      nxdomain(w, r);
      return;
    }
    State now = r.endpoints().isEmpty() ? State.EMPTY : State.RESOLVED;
    Duration next = refreshDelay(r.ttl());
    if (now != w.state || r.endpoints().size() != w.count) {
      log.info("dns discovery: service '{}': {} endpoint(s) from {} (ttl {}, next resolution in {} ms){}", w.service,
          r.endpoints().size(), w.name, r.ttl() < 0 ? "not given" : r.ttl() + "s", next.toMillis(),
          w.state == State.FAILING || w.state == State.NXDOMAIN ? "; resolving again" : "");
    }
    w.state = now;
    w.count = r.endpoints().size();
    setEndpoints(w.service, r.endpoints());
    schedule(w, next);
  }

  private void nxdomain(Watch w, Resolution r) {
    boolean fresh = w.state != State.NXDOMAIN;
    w.state = State.NXDOMAIN;
    w.count = -1;
    if (config.nxdomain() == NxdomainPolicy.DELETE) {
      if (fresh) {
        log.info("dns discovery: service '{}': {} does not exist (NXDOMAIN); deleting the service", w.service,
            w.name);
      }
      deleteService(w.service);
    } else if (fresh) {
      log.warn("dns discovery: service '{}': {} does not exist (NXDOMAIN); keeping the last endpoints", w.service,
          w.name);
      reportError(w.service, new UnknownHostException("dns discovery: " + w.name + " (service '" + w.service
          + "') does not exist (NXDOMAIN)"));
    }
    schedule(w, refreshDelay(r.ttl()));
  }

  private void failed(Watch w, Throwable error) {
    String message = String.valueOf(error.getMessage());
    boolean fresh = w.state != State.FAILING || !message.equals(w.lastMessage);
    w.state = State.FAILING;
    w.lastMessage = message;
    w.failures++;
    failing.add(w.service);
    lastError = message;
    lastErrorAt = Instant.now();
    Duration retry = backoff(w.failures);
    if (fresh) {
      log.warn("dns discovery: service '{}': resolving {} failed ({}); keeping the last endpoints, retrying in {} ms"
          + " and backing off to {}", w.service, w.name, message, retry.toMillis(), config.maxRefresh());
      reportError(w.service, error);
    }
    schedule(w, retry);
  }

  private void schedule(Watch w, Duration delay) {
    if (closed) {
      return;
    }
    try {
      w.next = scheduler.schedule(() -> guarded(() -> {
        if (watches.get(w.service) == w) {
          resolve(w);
        }
      }), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** The wait after an answer with TTL {@code ttl} seconds ({@code -1}: unknown), clamped. */
  Duration refreshDelay(long ttl) {
    Duration d = ttl < 0 ? config.minRefresh() : Duration.ofSeconds(ttl);
    if (d.compareTo(config.minRefresh()) < 0) {
      return config.minRefresh();
    }
    return d.compareTo(config.maxRefresh()) > 0 ? config.maxRefresh() : d;
  }

  /** The wait before retry {@code failures}: min-refresh doubled per failure, at most max-refresh, ±20 % jitter. */
  Duration backoff(int failures) {
    long min = config.minRefresh().toMillis();
    long max = config.maxRefresh().toMillis();
    long base = min << Math.min(Math.max(failures - 1, 0), 20);
    base = Math.min(Math.max(base, min), max);
    long jittered = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    return Duration.ofMillis(Math.max(1, Math.min(jittered, max)));
  }

  private void runOnScheduler(Runnable task) {
    if (closed) {
      return;
    }
    try {
      scheduler.execute(() -> guarded(task));
    } catch (RejectedExecutionException e) {
      // closed: callbacks of queries still in flight are dropped
    }
  }

  private static void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) { // the scheduler thread must survive anything
      log.error("dns discovery: unexpected failure; the service will be resolved again", e);
    }
  }

  // ---- resolution (asynchronous; callbacks on the scheduler) --------------------------------------------------

  private CompletableFuture<Resolution> resolveAddresses(String service, Name name) {
    CompletableFuture<Addresses> addresses = addresses(name);
    CompletableFuture<Meta> meta = config.txtLabels() ? meta(service, name) : CompletableFuture.completedFuture(
        Meta.NONE);
    return addresses.thenCombine(meta, (a, m) -> {
      if (!a.exists()) {
        return new Resolution(false, List.of(), a.ttl());
      }
      List<Endpoint> out = new ArrayList<>(a.list().size());
      for (InetAddress address : a.list()) {
        out.add(endpoint(service, address, config.port(), Endpoint.DEFAULT_WEIGHT, m));
      }
      return new Resolution(true, out, minTtl(a.ttl(), m.ttl()));
    });
  }

  private CompletableFuture<Resolution> resolveSrv(String service, Name name) {
    return lookup(name, Type.SRV, 0).thenCompose(answer -> {
      if (!answer.exists()) {
        return CompletableFuture.completedFuture(new Resolution(false, List.of(), answer.ttl()));
      }
      List<SRVRecord> srvs = new ArrayList<>();
      for (Record r : answer.records()) {
        SRVRecord srv = (SRVRecord) r;
        if (srv.getTarget().equals(Name.root)) {
          continue; // "." = the service is decidedly not available at this name (RFC 2782)
        }
        if (srv.getPort() == 0) {
          warnOnce(service + "|port0|" + srv.rdataToString(), "dns discovery: service '{}': skipping SRV record {} of"
              + " {}: port 0", service, srv.rdataToString(), name);
          continue;
        }
        srvs.add(srv);
      }
      if (srvs.isEmpty()) {
        return CompletableFuture.completedFuture(new Resolution(true, List.of(), answer.ttl()));
      }
      Map<Name, List<Record>> additional = additionalAddresses(answer.message());
      Set<Name> targets = new LinkedHashSet<>();
      srvs.forEach(s -> targets.add(s.getTarget()));
      return mapBounded(targets, t -> target(service, t, additional.get(t)))
          .thenApply(info -> srvEndpoints(service, srvs, info, answer.ttl()));
    });
  }

  private Resolution srvEndpoints(String service, List<SRVRecord> srvs, Map<Name, Target> info, long srvTtl) {
    TreeMap<Integer, List<SRVRecord>> byPriority = new TreeMap<>();
    for (SRVRecord s : srvs) {
      byPriority.computeIfAbsent(s.getPriority(), p -> new ArrayList<>()).add(s);
    }
    long ttl = srvTtl;
    List<Endpoint> out = new ArrayList<>();
    for (List<SRVRecord> group : byPriority.values()) {
      int max = 0;
      boolean zero = false;
      for (SRVRecord s : group) {
        max = Math.max(max, s.getWeight());
        zero |= s.getWeight() == 0;
      }
      // weight 0 = "a very small chance" when others are positive (RFC 2782): scale the others up instead
      int factor = zero && max > 0 ? Math.min(100, Endpoint.MAX_WEIGHT / max) : 1;
      for (SRVRecord s : group) {
        Target t = requireNonNull(info.get(s.getTarget()), "target");
        ttl = minTtl(ttl, t.ttl());
        int weight = s.getWeight() == 0 ? Endpoint.MIN_WEIGHT : s.getWeight() * factor;
        for (InetAddress address : t.addresses()) {
          out.add(endpoint(service, address, s.getPort(), weight, t.meta()));
        }
      }
      if (!out.isEmpty()) {
        break; // the preferred group has addresses: backups are not used
      }
    }
    return new Resolution(true, out, ttl);
  }

  private CompletableFuture<Target> target(String service, Name target, @Nullable List<Record> given) {
    CompletableFuture<Addresses> addresses;
    if (given != null && !given.isEmpty()) {
      addresses = CompletableFuture.completedFuture(addressesOf(given));
    } else {
      addresses = addresses(target);
    }
    CompletableFuture<Meta> meta = config.txtLabels() ? meta(service, target)
        : CompletableFuture.completedFuture(Meta.NONE);
    return addresses.thenCombine(meta, (a, m) -> {
      String key = service + "|target|" + target;
      if (a.list().isEmpty()) {
        warnOnce(key, "dns discovery: service '{}': SRV target {} has no {} address ({}); skipping it", service,
            target, config.ip() == IpVersion.ANY ? "A or AAAA" : config.ip() == IpVersion.V4 ? "A" : "AAAA",
            a.exists() ? "no records" : "NXDOMAIN");
      } else {
        warned.remove(key);
      }
      return new Target(a.list(), minTtl(a.ttl(), m.ttl()), m);
    });
  }

  /** The addresses of {@code name}: A and/or AAAA queried at once; NXDOMAIN if either says so. */
  private CompletableFuture<Addresses> addresses(Name name) {
    CompletableFuture<Answer> a = config.ip() == IpVersion.V6 ? CompletableFuture.completedFuture(Answer.NONE)
        : lookup(name, Type.A, 0);
    CompletableFuture<Answer> aaaa = config.ip() == IpVersion.V4 ? CompletableFuture.completedFuture(Answer.NONE)
        : lookup(name, Type.AAAA, 0);
    return a.thenCombine(aaaa, (v4, v6) -> {
      boolean exists = v4.exists() && v6.exists();
      List<Record> all = new ArrayList<>(v4.records());
      all.addAll(v6.records());
      Addresses found = addressesOf(all);
      return new Addresses(exists, found.list(), minTtl(minTtl(v4.ttl(), v6.ttl()), found.ttl()));
    });
  }

  private static Addresses addressesOf(List<Record> records) {
    List<InetAddress> out = new ArrayList<>();
    long ttl = -1;
    for (Record r : records) {
      if (r instanceof ARecord a) {
        out.add(a.getAddress());
      } else if (r instanceof AAAARecord aaaa) {
        out.add(aaaa.getAddress());
      } else {
        continue;
      }
      ttl = minTtl(ttl, r.getTTL());
    }
    return new Addresses(true, out, ttl);
  }

  /** The TXT {@code key=value} strings at {@code name}: {@code zone} and labels. */
  private CompletableFuture<Meta> meta(String service, Name name) {
    return lookup(name, Type.TXT, 0).thenApply(answer -> {
      String zone = "";
      Map<String, String> labels = new LinkedHashMap<>();
      for (Record r : answer.records()) {
        for (String s : ((TXTRecord) r).getStrings()) {
          int eq = s.indexOf('=');
          if (eq <= 0) {
            warnOnce(service + "|txt|" + name + "|" + s, "dns discovery: service '{}': ignoring TXT string \"{}\" of"
                + " {}: not key=value", service, s, name);
            continue;
          }
          String key = s.substring(0, eq);
          String value = s.substring(eq + 1);
          if (key.equals("zone")) {
            zone = value;
          } else {
            labels.putIfAbsent(key, value); // the first wins (RFC 6763 6.4)
          }
        }
      }
      return new Meta(zone, Map.copyOf(labels), answer.records().isEmpty() ? -1 : answer.ttl());
    });
  }

  private Endpoint endpoint(String service, InetAddress address, int port, int weight, Meta meta) {
    return Endpoint.builder(service, address.getHostAddress(), port)
        .secure(config.secure())
        .weight(weight)
        .zone(meta.zone())
        .labels(meta.labels())
        .build();
  }

  /**
   * The records of {@code type} at {@code name}, following CNAMEs (in the answer, else by asking again); NXDOMAIN
   * as {@code exists = false}; any other failure (SERVFAIL, REFUSED, a timeout) fails the future.
   */
  private CompletableFuture<Answer> lookup(Name name, int type, int depth) {
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    return resolver.sendAsync(query, onScheduler).toCompletableFuture().exceptionally(e -> {
      Throwable cause = unwrap(e);
      String what = cause.getMessage() == null ? cause.getClass().getSimpleName()
          : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      throw new CompletionException(new IOException("dns discovery: no usable answer from " + resolverName
          + " for " + name + " " + Type.string(type) + " (" + what + ")", cause));
    }).thenCompose(m -> {
      int rcode = m.getRcode();
      if (rcode == Rcode.NXDOMAIN) {
        return CompletableFuture.completedFuture(new Answer(false, List.of(), negativeTtl(m), m));
      }
      if (rcode != Rcode.NOERROR) {
        throw new CompletionException(new IOException("dns discovery: " + Rcode.string(rcode) + " from "
            + resolverName + " for " + name + " " + Type.string(type)));
      }
      Name current = name;
      long ttl = -1;
      List<Record> found = new ArrayList<>();
      for (int step = 0; step <= MAX_CNAME_CHAIN && found.isEmpty(); step++) {
        Name next = null;
        for (Record r : m.getSection(Section.ANSWER)) {
          if (!r.getName().equals(current)) {
            continue;
          }
          if (r.getType() == type) {
            found.add(r);
            ttl = minTtl(ttl, r.getTTL());
          } else if (r instanceof CNAMERecord c && type != Type.CNAME) {
            next = c.getTarget();
            ttl = minTtl(ttl, r.getTTL());
          }
        }
        if (!found.isEmpty() || next == null) {
          break;
        }
        current = next;
      }
      if (found.isEmpty() && !current.equals(name) && depth < MAX_CNAME_CHAIN) {
        long chainTtl = ttl;
        return lookup(current, type, depth + 1).thenApply(a -> new Answer(a.exists(), a.records(),
            minTtl(chainTtl, a.ttl()), a.message()));
      }
      return CompletableFuture.completedFuture(new Answer(true, found, found.isEmpty() ? negativeTtl(m) : ttl, m));
    });
  }

  /** How long a "no such name / no such record" answer may be cached (RFC 2308), or -1 when it does not say. */
  private static long negativeTtl(Message m) {
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return Math.min(soa.getTTL(), soa.getMinimum());
      }
    }
    return -1;
  }

  private Map<Name, List<Record>> additionalAddresses(@Nullable Message m) {
    Map<Name, List<Record>> out = new HashMap<>();
    if (m == null) {
      return out;
    }
    for (Record r : m.getSection(Section.ADDITIONAL)) {
      boolean wanted = (r.getType() == Type.A && config.ip() != IpVersion.V6)
          || (r.getType() == Type.AAAA && config.ip() != IpVersion.V4);
      if (wanted) {
        out.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
      }
    }
    return out;
  }

  private void warnOnce(String key, String format, Object... args) {
    if (warned.add(key)) {
      log.warn(format, args);
    }
  }

  private static long minTtl(long a, long b) {
    if (a < 0) {
      return b;
    }
    return b < 0 ? a : Math.min(a, b);
  }

  private static Throwable unwrap(@Nullable Throwable e) {
    Throwable t = e == null ? new IOException("dns discovery: no answer") : e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Runs {@code f} on every item, at most {@value #MAX_IN_FLIGHT} at once; fails as soon as one fails.
   */
  private static <T, R> CompletableFuture<Map<T, R>> mapBounded(Set<T> items,
      Function<T, CompletableFuture<R>> f) {
    return new Bounded<>(items, f).start();
  }

  private static final class Bounded<T, R> {
    private final Iterator<T> it;
    private final Function<T, CompletableFuture<R>> f;
    private final Map<T, R> out = new ConcurrentHashMap<>();
    private final CompletableFuture<Map<T, R>> done = new CompletableFuture<>();
    private final AtomicInteger remaining;
    private final int size;

    Bounded(Set<T> items, Function<T, CompletableFuture<R>> f) {
      this.it = List.copyOf(items).iterator();
      this.f = f;
      this.size = items.size();
      this.remaining = new AtomicInteger(size);
    }

    CompletableFuture<Map<T, R>> start() {
      if (size == 0) {
        done.complete(out);
      }
      for (int i = 0; i < Math.min(MAX_IN_FLIGHT, size); i++) {
        next();
      }
      return done;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // completion is observed through done
    private void next() {
      T item;
      synchronized (this) {
        if (done.isDone() || !it.hasNext()) {
          return;
        }
        item = it.next();
      }
      CompletableFuture<R> one;
      try {
        one = f.apply(item);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        return;
      }
      one.whenComplete((r, e) -> {
        if (e != null) {
          done.completeExceptionally(e);
          return;
        }
        out.put(item, r);
        if (remaining.decrementAndGet() == 0) {
          done.complete(out);
        } else {
          next();
        }
      });
    }
  }

  // ---- values -------------------------------------------------------------------------------------------------

  private enum State { NEW, RESOLVED, EMPTY, NXDOMAIN, FAILING }

  /** One watched service (scheduler thread only). */
  private static final class Watch {
    final String service;
    final @Nullable Name name;
    @Nullable ScheduledFuture<?> next;
    State state = State.NEW;
    int count = -1;
    int failures;
    @Nullable String lastMessage;

    Watch(String service, @Nullable Name name) {
      this.service = service;
      this.name = name;
    }
  }

  /** What one resolution found; {@code exists = false} for NXDOMAIN; {@code ttl} in seconds, -1 if unknown. */
  private record Resolution(boolean exists, List<Endpoint> endpoints, long ttl) {}

  /** One query's answer records (CNAMEs followed). */
  private record Answer(boolean exists, List<Record> records, long ttl, @Nullable Message message) {
    static final Answer NONE = new Answer(true, List.of(), -1, null);
  }

  private record Addresses(boolean exists, List<InetAddress> list, long ttl) {}

  private record Meta(String zone, Map<String, String> labels, long ttl) {
    static final Meta NONE = new Meta("", Map.of(), -1);
  }

  private record Target(List<InetAddress> addresses, long ttl, Meta meta) {}
}
