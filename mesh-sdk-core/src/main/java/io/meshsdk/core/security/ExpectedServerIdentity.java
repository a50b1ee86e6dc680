package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The SPIFFE id a server must present for a TLS connection to an address: exact ids, a trust domain, or nothing
 * acceptable (fail closed, with the reason). When one address is an endpoint of several services, the server must
 * satisfy each of them ({@link #and}): a pooled connection may carry calls of any of them. Immutable.
 */
public final class ExpectedServerIdentity {

  private final List<Part> parts;

  private record Part(String service, Set<SpiffeId> ids, @Nullable String trustDomain, String source) {
    @Nullable String mismatch(SpiffeId presented) {
      if (!ids.isEmpty()) {
        return ids.contains(presented) ? null : "service '" + service + "' expects " + describe() + " (from "
            + source + ")";
      }
      if (trustDomain != null) {
        return presented.isIn(trustDomain) ? null : "service '" + service + "' expects " + describe() + " (from "
            + source + ")";
      }
      return source;
    }

    String describe() {
      if (!ids.isEmpty()) {
        TreeSet<String> sorted = new TreeSet<>();
        ids.forEach(i -> sorted.add(i.toString()));
        return sorted.size() == 1 ? sorted.first() : "one of " + sorted;
      }
      return trustDomain != null ? "an id in trust domain " + trustDomain : "(nothing acceptable: " + source + ")";
    }
  }

  private ExpectedServerIdentity(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /** One of {@code ids} exactly, for {@code service}; {@code source} says where the expectation comes from. */
  public static ExpectedServerIdentity exact(String service, Set<SpiffeId> ids, String source) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("ids: empty (expected: at least one SPIFFE id)");
    }
    return new ExpectedServerIdentity(List.of(new Part(requireNonNull(service, "service"), Set.copyOf(ids), null,
        requireNonNull(source, "source"))));
  }

  /** Any id of {@code trustDomain}, for {@code service}. */
  public static ExpectedServerIdentity trustDomain(String service, String trustDomain, String source) {
    return new ExpectedServerIdentity(List.of(new Part(requireNonNull(service, "service"), Set.of(),
        SpiffeId.checkTrustDomain(trustDomain), requireNonNull(source, "source"))));
  }

  /** Nothing is acceptable for {@code service}: every server is refused with {@code reason}. */
  public static ExpectedServerIdentity unknown(String service, String reason) {
    return new ExpectedServerIdentity(List.of(new Part(requireNonNull(service, "service"), Set.of(), null,
        requireNonNull(reason, "reason"))));
  }

  /** An expectation met only when both this and {@code other} are met. */
  public ExpectedServerIdentity and(ExpectedServerIdentity other) {
    List<Part> all = new ArrayList<>(parts);
    for (Part p : other.parts) {
      if (!all.contains(p)) {
        all.add(p);
      }
    }
    return new ExpectedServerIdentity(all);
  }

  /** The services this expectation is for. */
  public Set<String> services() {
    TreeSet<String> s = new TreeSet<>();
    parts.forEach(p -> s.add(p.service));
    return s;
  }

  /** Whether {@code presented} is acceptable. */
  public boolean accepts(SpiffeId presented) {
    return mismatch(presented) == null;
  }

  /** Why {@code presented} is not acceptable, or {@code null} when it is. */
  public @Nullable String mismatch(SpiffeId presented) {
    requireNonNull(presented, "presented");
    List<String> problems = new ArrayList<>(1);
    for (Part p : parts) {
      String m = p.mismatch(presented);
      if (m != null) {
        problems.add(m);
      }
    }
    if (problems.isEmpty()) {
      return null;
    }
    String why = String.join("; ", problems);
    return parts.size() > 1 ? why + " (this address is an endpoint of services " + services()
        + ", and a pooled connection may carry calls of each: its server must satisfy all of them)" : why;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpectedServerIdentity e && parts.equals(e.parts);
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }

  @Override
  public String toString() {
    List<String> s = new ArrayList<>();
    parts.forEach(p -> s.add(p.service + ": " + p.describe()));
    return String.join(" and ", s);
  }
}
