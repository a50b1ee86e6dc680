package io.meshsdk.core.registration;

/** Where a registration stands. */
public enum RegistrationStatus {
  /** Being written for the first time. */
  PENDING,
  /** Visible to callers. */
  REGISTERED,
  /** The session or lease was lost: callers may not see it; the registry is re-registering it. */
  LOST,
  /** Closed: removed from the registry. */
  DEREGISTERED
}
