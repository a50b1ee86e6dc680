package io.meshsdk.core.client;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshRejectedException;

/**
 * The egress policy does not allow this service to call the target service (or this method or path of it): the
 * call was refused before anything was sent. Not retried; carries no stack trace (see
 * {@link MeshRejectedException}).
 */
public final class EgressDeniedException extends MeshRejectedException {

  private static final long serialVersionUID = 1L;

  private final String ruleId;

  /**
   * A denial of a call to {@code service}.
   *
   * @param ruleId the deciding rule, or {@code default}
   * @param message what decided, e.g. {@code call to service 'billing' denied by rule 'no-billing-writes' of the
   *     egress policy}
   */
  public EgressDeniedException(String service, String ruleId, String message) {
    super(service, message);
    this.ruleId = requireNonNull(ruleId, "ruleId");
  }

  /** The id of the rule that denied the call, or {@code default} for the policy's default. */
  public String ruleId() {
    return ruleId;
  }
}
