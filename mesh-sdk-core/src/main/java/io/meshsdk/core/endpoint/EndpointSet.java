package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable snapshot of one service's endpoints, with their live states, as the mesh's directory publishes
 * it for every change discovery reports. A new snapshot replaces the old one atomically; the array inside is never
 * written after construction.
 */
public final class EndpointSet {

  private final String service;
  private final long version;
  private final EndpointState[] states;
  private final List<EndpointState> view;

  /**
   * A snapshot; {@code states} is copied.
   *
   * @param service the service name
   * @param version increases with every new snapshot of the service
   * @param states the endpoints' states, at most one per endpoint id
   */
  public EndpointSet(String service, long version, List<? extends EndpointState> states) {
    this.service = requireNonNull(service, "service");
    this.version = version;
    this.states = requireNonNull(states, "states").toArray(new EndpointState[0]);
    for (EndpointState s : this.states) {
      requireNonNull(s, "states contains null");
    }
    this.view = new ArrayView(this.states);
  }

  /** An empty snapshot. */
  public static EndpointSet empty(String service) {
    return new EndpointSet(service, 0, List.of());
  }

  /** The service name. */
  public String service() {
    return service;
  }

  /** Version; a later snapshot of the same service has a larger version. */
  public long version() {
    return version;
  }

  /** Number of endpoints. */
  public int size() {
    return states.length;
  }

  /** Whether there are no endpoints. */
  public boolean isEmpty() {
    return states.length == 0;
  }

  /** The state at {@code index} (0 to {@code size() - 1}); no allocation. */
  public EndpointState get(int index) {
    return states[index];
  }

  /** An unmodifiable view of the states. */
  public List<EndpointState> states() {
    return view;
  }

  /** The state of endpoint {@code id}, or {@code null}. Linear: not for the call path. */
  public @org.jspecify.annotations.Nullable EndpointState find(String id) {
    for (EndpointState s : states) {
      if (s.endpoint().id().equals(id)) {
        return s;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "EndpointSet{" + service + " v" + version + " " + view + "}";
  }

  private static final class ArrayView extends AbstractList<EndpointState> implements RandomAccess {
    private final EndpointState[] a;

    ArrayView(EndpointState[] a) {
      this.a = a;
    }

    @Override
    public EndpointState get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }
  }
}
