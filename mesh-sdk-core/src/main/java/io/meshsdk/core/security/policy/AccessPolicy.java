package io.meshsdk.core.security.policy;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A compiled access policy: the inbound sections of the services this process serves, and the egress section.
 * Immutable and thread-safe. Obtained from {@link #parse(String, String)} (text) or {@link PolicyFile} (a
 * watched file); the policy in force lives in a {@link PolicyHolder}.
 *
 * <pre>{@code
 * AccessPolicy policy = AccessPolicy.parse(text, "inline");
 * ServicePolicy orders = policy.inbound("orders");          // null: no section, every request allowed, not counted
 * Decision d = orders.decide(caller, "GET", "/orders/42", remoteAddr);
 * if (d.denied()) { respond 403 with d.describe(caller) }
 * }</pre>
 *
 * <p>A policy parsed on its own counts its decisions in counters of its own and logs denials every 60 s at most
 * per rule; {@link PolicyHolder#replace} installs a copy of it bound to the holder's counters (which survive
 * reloads and are exposed as Micrometer meters).
 */
public final class AccessPolicy {

  private static final AccessPolicy ALLOW_ALL = new AccessPolicy("none", List.of(),
      new PolicyStats(Ticker.SYSTEM, Duration.ofSeconds(60), PolicyLog.SLF4J));

  private final String sourceName;
  private final List<SectionSpec> specs;
  final PolicyStats stats;
  private final Map<String, ServicePolicy> inbound;
  private final @Nullable EgressPolicy egress;
  private final List<Section> sections;
  private final int ruleCount;

  private AccessPolicy(String sourceName, List<SectionSpec> specs, PolicyStats stats) {
    this.sourceName = sourceName;
    this.specs = specs;
    this.stats = stats;
    Map<String, ServicePolicy> in = new HashMap<>();
    EgressPolicy out = null;
    List<Section> all = new ArrayList<>();
    int count = 0;
    for (SectionSpec spec : specs) {
      Section s = new Section(spec, stats);
      all.add(s);
      count += s.rules.length;
      if (spec.egress()) {
        out = new EgressPolicy(s);
      } else {
        in.put(spec.name(), new ServicePolicy(s));
      }
    }
    this.inbound = in;
    this.egress = out;
    this.sections = all;
    this.ruleCount = count;
  }

  /**
   * Parses and compiles a policy.
   *
   * @param text the policy text (format: {@code docs/security.md}, "Policy reference")
   * @param sourceName the name errors and logs give the text: a file name, or {@code "inline"}
   * @throws PolicyException naming the source, the line and the reason of the first error
   */
  public static AccessPolicy parse(String text, String sourceName) throws PolicyException {
    requireNonNull(text, "text");
    requireNonNull(sourceName, "sourceName");
    return new AccessPolicy(sourceName, PolicyParser.parse(text, sourceName),
        new PolicyStats(Ticker.SYSTEM, Duration.ofSeconds(60), PolicyLog.SLF4J));
  }

  /** No section at all: every request and every call is allowed, and nothing is counted. */
  public static AccessPolicy allowAll() {
    return ALLOW_ALL;
  }

  /** A copy of this policy whose decisions count in {@code target}. */
  AccessPolicy bind(PolicyStats target) {
    return target == stats ? this : new AccessPolicy(sourceName, specs, target);
  }

  /**
   * The inbound policy of {@code service}, or null when the policy has no section for it: then every request to
   * it is allowed and not counted.
   *
   * @param service the served service's canonical name
   */
  public @Nullable ServicePolicy inbound(String service) {
    return inbound.get(service);
  }

  /** The egress policy, or null when there is no {@code egress} section: every call is allowed, not counted. */
  public @Nullable EgressPolicy egress() {
    return egress;
  }

  /** The services with an inbound section, sorted. */
  public Set<String> services() {
    return Collections.unmodifiableSet(new TreeSet<>(inbound.keySet()));
  }

  /** The file name the policy came from, {@code "inline"}, or {@code "none"} for {@link #allowAll()}. */
  public String sourceName() {
    return sourceName;
  }

  /** The number of rules over all sections. */
  public int ruleCount() {
    return ruleCount;
  }

  List<RuleStats> statsInUse() {
    List<RuleStats> out = new ArrayList<>();
    for (Section s : sections) {
      s.collectStats(out);
    }
    return out;
  }

  @Override
  public String toString() {
    return "AccessPolicy{" + sourceName + ", " + inbound.size() + " services, egress " + (egress != null) + ", "
        + ruleCount + " rules}";
  }
}
