package io.meshsdk.core.security.policy;

import org.jspecify.annotations.Nullable;

/**
 * The inbound policy of one served service (a {@code service <name>} section), compiled. Thread-safe and
 * immutable; {@link #decide} allocates nothing, takes no lock and uses no regular expression.
 *
 * <p><b>What callers pass.</b> The {@code path} is the request's raw path as it came on the wire, without the
 * query string, percent-encoding kept: a servlet's {@code getRequestURI()} (not decoded), not
 * {@code getServletPath()} or {@code getPathInfo()} (decoded). It is matched literally: {@code %2F} is three characters, not
 * a {@code /}, and {@code ..} or {@code .} segments are not resolved. So {@code path} rules are for allow-listing
 * (a request whose path does not literally match an allowed pattern falls to the default); a deny rule on a path
 * can be dodged by an equivalent spelling ({@code /admin/../admin}, {@code /%61dmin}) unless the server in front
 * normalises or refuses such paths.
 */
public final class ServicePolicy {

  private final Section section;

  ServicePolicy(Section section) {
    this.section = section;
  }

  Section section() {
    return section;
  }

  /** The served service this section is about. */
  public String service() {
    return section.spec.name();
  }

  /** The section's default verdict (when no rule matches). */
  public Verdict defaultVerdict() {
    return section.spec.defaultVerdict();
  }

  /** Whether the section is in {@code mode dry-run}. */
  public boolean dryRun() {
    return section.spec.dryRun();
  }

  /** The number of rules of the section. */
  public int ruleCount() {
    return section.rules.length;
  }

  /**
   * Decides one request: the first matching deny rule in file order if any, else the first matching allow rule,
   * else the default. The decision is counted and, if it is a denial (or a dry-run would-deny), logged at most
   * once per rule per log interval.
   *
   * @param caller the caller identity: a SPIFFE id, a service name or {@code anonymous}; normalised as the inbound
   *     guard does (trimmed, lower case; an unusable name is {@code anonymous}), without allocating when it is
   *     already normal
   * @param method the HTTP method (upper case expected; other case is matched ignoring case)
   * @param path the raw request path, without the query string (see the class comment)
   * @param remoteAddress the peer's address as {@code getRemoteAddr()} gives it (IPv4 dotted quad or IPv6 text,
   *     {@code ::ffff:a.b.c.d} counts as IPv4), or null when unknown: then no {@code source} rule matches. It is
   *     parsed once, without allocation, and only when a candidate rule has {@code source}
   */
  public Decision decide(String caller, String method, String path, @Nullable String remoteAddress) {
    return section.decide(caller, method, path, remoteAddress);
  }

  @Override
  public String toString() {
    return "ServicePolicy{" + service() + ", " + ruleCount() + " rules}";
  }
}
