package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.MeshException;

/**
 * A policy that cannot be used: malformed text, or a file that cannot be read. The message always has the form
 * {@code <source>:<line>: <reason>} (or {@code <source>: <reason>} when the problem is not on one line, e.g. a
 * missing file), e.g.
 *
 * <pre>
 * policy.conf:7: unknown key "metod" in rule "read-orders" (allowed: caller, caller-prefix, trust-domain, method, path, source)
 * </pre>
 *
 * <p>{@link #service()} is the section the error is in ({@code egress} for the egress section), or {@code ""}
 * outside any section.
 */
public final class PolicyException extends MeshException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String reason;

  /**
   * An error at {@code line} (1-based; 0 when it concerns the whole source) of {@code source}.
   *
   * @param source the file name, or {@code "inline"}
   * @param section the section the error is in, or {@code ""}
   * @param line the 1-based line, or 0
   * @param reason what is wrong, for an operator
   */
  public PolicyException(String source, String section, int line, String reason) {
    super(section, line > 0 ? source + ":" + line + ": " + reason : source + ": " + reason);
    this.source = source;
    this.line = line;
    this.reason = reason;
  }

  /** The file name the policy came from, or {@code "inline"}. */
  public String source() {
    return source;
  }

  /** The 1-based line of the error; 0 when the error concerns the whole source (unreadable, not UTF-8 at all). */
  public int line() {
    return line;
  }

  /** What is wrong, without the source and line. */
  public String reason() {
    return reason;
  }
}
