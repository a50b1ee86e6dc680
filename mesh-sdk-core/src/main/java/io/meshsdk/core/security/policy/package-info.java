/**
 * Allow/deny access policies: which callers may call the services this process serves (inbound) and which
 * services this process may call (egress).
 *
 * <p>A policy is a line-oriented text file (see {@code docs/security.md}, "Policy reference") parsed and compiled by
 * {@link io.meshsdk.core.security.policy.AccessPolicy#parse}; a malformed input fails with a
 * {@link io.meshsdk.core.security.policy.PolicyException} naming the source, the line and the reason. A compiled
 * policy answers {@link io.meshsdk.core.security.policy.ServicePolicy#decide} and
 * {@link io.meshsdk.core.security.policy.EgressPolicy#decide} with a preallocated
 * {@link io.meshsdk.core.security.policy.Decision}: no allocation, no lock, no regular expression per call.
 * {@link io.meshsdk.core.security.policy.PolicyHolder} holds the policy in force (counters, Micrometer meters and
 * throttled denial logs survive a reload) and {@link io.meshsdk.core.security.policy.PolicyFile} reloads it from a
 * watched file, keeping the previous policy when the new one is malformed.
 *
 * <p>This package uses only {@code io.meshsdk.core.common} of the mesh, so that the inbound guard, the egress path
 * and the Spring filter can all use it.
 */
@NullMarked
package io.meshsdk.core.security.policy;

import org.jspecify.annotations.NullMarked;
