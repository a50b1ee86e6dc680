package io.meshsdk.core.security.policy;

import java.util.Locale;

/** What a rule (or a section's default) says about a request. */
public enum Verdict {
  /** The request may proceed. */
  ALLOW,
  /** The request is refused (or, in dry-run mode, would be). */
  DENY;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The lower-case name used in the policy file and as the metric tag: {@code allow} or {@code deny}. */
  public String tag() {
    return tag;
  }
}
