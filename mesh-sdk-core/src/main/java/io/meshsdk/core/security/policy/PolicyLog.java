package io.meshsdk.core.security.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where the policy's log lines go; the default writes to SLF4J, tests count the calls. */
interface PolicyLog {

  /** A throttled denial line: {@code count} denials by {@code decision} since its last line, the last by subject. */
  void denial(Decision decision, String subject, long count);

  /** A policy file that cannot be applied (logged once per distinct error). */
  void invalid(String file, PolicyException error);

  /** A policy file applied, or fixed back to the policy in force. */
  void applied(String file, String what);

  /** The SLF4J log: denials WARN (dry-run INFO), invalid files ERROR, applied INFO. */
  PolicyLog SLF4J = new PolicyLog() {
    private final Logger log = LoggerFactory.getLogger(PolicyHolder.class);

    @Override
    public void denial(Decision decision, String subject, long count) {
      if (decision.dryRun()) {
        log.info("access policy (dry-run): {} ({} request(s) since the last line for this rule)",
            decision.describe(subject), count);
      } else {
        log.warn("access policy: {} ({} request(s) since the last line for this rule)",
            decision.describe(subject), count);
      }
    }

    @Override
    public void invalid(String file, PolicyException error) {
      log.error("access policy {} not applied, keeping the policy in force: {}", file, error.getMessage());
    }

    @Override
    public void applied(String file, String what) {
      log.info("access policy {}: {}", file, what);
    }
  };
}
