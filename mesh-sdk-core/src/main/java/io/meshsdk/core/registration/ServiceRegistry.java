package io.meshsdk.core.registration;

/**
 * SPI for a registry this process registers itself in (ZooKeeper, etcd, the in-memory
 * {@link io.meshsdk.core.discovery.StaticServiceDiscovery}...). Kubernetes and DNS have none: the platform
 * registers pods.
 *
 * <p>Contract: {@link #register} returns at once and keeps the registration alive by itself (heartbeat, lease
 * keep-alive, re-registration after a lost session) until the returned handle is closed; it never throws for
 * registry trouble, it reports it to the listener ({@link RegistrationStatus#LOST}) and keeps trying. Listener
 * calls for one registration are serialized and made without locks held.
 */
public interface ServiceRegistry extends AutoCloseable {

  /** A short name for logs, e.g. {@code zookeeper}. */
  String name();

  /**
   * Registers {@code registration} and keeps it registered until the handle is closed.
   *
   * @param listener told of every status change of this registration (registered, lost, regained, deregistered)
   */
  Registration register(ServiceRegistration registration, RegistrationListener listener);

  /** Deregisters what is still registered and releases resources. Never throws. */
  @Override
  void close();

  /** One registration: update it, or close it to deregister. */
  interface Registration extends AutoCloseable {

    /** What is registered now. */
    ServiceRegistration registration();

    /** Its status now. */
    RegistrationStatus status();

    /**
     * Replaces the registration's labels (metadata), e.g. to announce draining. Service, host and port stay.
     *
     * @throws IllegalArgumentException if {@code updated} names another service, host or port
     */
    void update(ServiceRegistration updated);

    /** Deregisters (idempotent; never throws). */
    @Override
    void close();
  }

  /** Told of a registration's status changes. */
  @FunctionalInterface
  interface RegistrationListener {
    /** No-op listener. */
    RegistrationListener NONE = (registration, status, detail) -> {};

    /** {@code registration} is now {@code status}; {@code detail} says why. */
    void onStatus(ServiceRegistration registration, RegistrationStatus status, String detail);
  }
}
