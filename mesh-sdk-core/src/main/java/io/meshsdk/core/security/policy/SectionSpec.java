package io.meshsdk.core.security.policy;

import java.util.List;

/** One parsed section: {@code service <name>} or {@code egress}. */
record SectionSpec(String name, boolean egress, int line, Verdict defaultVerdict, boolean dryRun,
    List<RuleSpec> rules) {}
