package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.RandomAccess;

/**
 * The endpoints of one service as its backend reported them last, kept across updates (under the backend's lock),
 * so that applying a new full list costs a walk of that list plus a hash lookup only for the endpoints that moved,
 * arrived or left: an endpoint reported again at the same position with the same id is matched by position, and
 * one equal to the value held is replaced by the object already held. Watchers therefore get the same
 * {@link Endpoint} object for an unchanged endpoint from one snapshot to the next, which lets the mesh's directory
 * recognise it by identity instead of comparing every component again.
 *
 * <p>What counts as a change is what it always was: an id that arrives or leaves, or an endpoint whose value
 * ({@link Endpoint#equals}: address, weight, zone, labels...) differs from the one held. A list that only reorders
 * the same endpoints is not a change (it is stored, not delivered). Not thread-safe.
 */
final class HeldEndpoints {

  private static final Endpoint[] NO_ENDPOINTS = {};
  private static final Slot[] NO_SLOTS = {};

  /** One endpoint id: the value held, and the last update that listed it. */
  private static final class Slot {
    Endpoint endpoint;
    int seen;

    Slot(Endpoint endpoint, int seen) {
      this.endpoint = endpoint;
      this.seen = seen;
    }
  }

  /** The endpoints in the order reported; never written once held (a change makes new arrays). */
  private Endpoint[] order = NO_ENDPOINTS;
  /** {@code slots[i]} is the slot of {@code order[i]}. */
  private Slot[] slots = NO_SLOTS;
  private List<Endpoint> view = List.of();
  private final HashMap<String, Slot> byId = new HashMap<>();
  private int update;

  /** The endpoints held, in order: an immutable list, the one watchers get. */
  List<Endpoint> view() {
    return view;
  }

  /**
   * Checks {@code endpoints} before anything is applied: no null, every endpoint of {@code service}.
   *
   * @throws IllegalArgumentException if an endpoint belongs to another service
   */
  static void check(String service, Collection<Endpoint> endpoints) {
    for (Endpoint e : endpoints) {
      requireNonNull(e, "endpoints contains null");
      if (!e.service().equals(service)) {
        throw new IllegalArgumentException(
            "endpoint " + e + " belongs to service '" + e.service() + "', not '" + service + "'");
      }
    }
  }

  /**
   * Replaces the endpoints held with {@code endpoints} (checked with {@link #check}); an id listed again is ignored
   * (the first wins).
   *
   * @return whether the endpoints changed: an id arrived or left, or a value differs from the one held
   */
  @SuppressWarnings("ReferenceEquality") // identity first: the same object is the same value, no comparison
  boolean replace(Collection<Endpoint> endpoints) {
    int now = ++update; // a slot that survives is marked with every update, so it never holds this value before
    Endpoint[] before = order;
    Slot[] beforeSlots = slots;
    int n = endpoints.size();
    // the arrays to hold, allocated at the first position that differs from the list held (not at all for a list
    // that is the one held, position by position)
    boolean diverged = false;
    Endpoint[] next = NO_ENDPOINTS;
    Slot[] nextSlots = NO_SLOTS;
    boolean changed = false;
    int count = 0;
    int i = 0;
    for (Endpoint e : endpoints) {
      Slot s = i < before.length && (before[i] == e || before[i].id().equals(e.id()))
          ? beforeSlots[i] : byId.get(e.id());
      i++;
      if (s == null) {
        s = new Slot(e, now);
        byId.put(e.id(), s);
        changed = true;
      } else if (s.seen == now) {
        continue; // the id was listed already: the first wins
      } else {
        s.seen = now;
        Endpoint held = s.endpoint;
        if (held != e) {
          if (held.equals(e)) {
            e = held; // unchanged: keep the object watchers already have
          } else {
            s.endpoint = e;
            changed = true;
          }
        }
      }
      if (!diverged) {
        if (count < before.length && before[count] == e) {
          count++; // still the list held, position by position
          continue;
        }
        next = new Endpoint[n];
        nextSlots = new Slot[n];
        System.arraycopy(before, 0, next, 0, count);
        System.arraycopy(beforeSlots, 0, nextSlots, 0, count);
        diverged = true;
      }
      next[count] = e;
      nextSlots[count] = s;
      count++;
    }
    for (int k = 0; k < beforeSlots.length; k++) {
      if (beforeSlots[k].seen != now) { // not listed: it left
        byId.remove(before[k].id());
        changed = true;
      }
    }
    if (!diverged) {
      if (count == before.length) {
        return changed; // the same endpoints in the same order: nothing to store
      }
      next = Arrays.copyOf(before, count); // a prefix of the list held
      nextSlots = Arrays.copyOf(beforeSlots, count);
    } else if (count < n) {
      next = Arrays.copyOf(next, count);
      nextSlots = Arrays.copyOf(nextSlots, count);
    }
    hold(next, nextSlots);
    return changed;
  }

  /**
   * Adds {@code endpoint}, or replaces the endpoint with the same id (in its position).
   *
   * @return whether that changed the endpoints held
   */
  boolean put(Endpoint endpoint) {
    Slot s = byId.get(endpoint.id());
    if (s == null) {
      s = new Slot(endpoint, update);
      byId.put(endpoint.id(), s);
      Endpoint[] next = Arrays.copyOf(order, order.length + 1);
      Slot[] nextSlots = Arrays.copyOf(slots, slots.length + 1);
      next[next.length - 1] = endpoint;
      nextSlots[nextSlots.length - 1] = s;
      hold(next, nextSlots);
      return true;
    }
    if (s.endpoint.equals(endpoint)) {
      return false;
    }
    s.endpoint = endpoint;
    Endpoint[] next = order.clone();
    next[indexOf(s)] = endpoint;
    hold(next, slots);
    return true;
  }

  /**
   * Removes endpoint {@code id}.
   *
   * @return whether it was held
   */
  boolean remove(String id) {
    Slot s = byId.remove(id);
    if (s == null) {
      return false;
    }
    int k = indexOf(s);
    Endpoint[] next = new Endpoint[order.length - 1];
    Slot[] nextSlots = new Slot[slots.length - 1];
    System.arraycopy(order, 0, next, 0, k);
    System.arraycopy(order, k + 1, next, k, next.length - k);
    System.arraycopy(slots, 0, nextSlots, 0, k);
    System.arraycopy(slots, k + 1, nextSlots, k, nextSlots.length - k);
    hold(next, nextSlots);
    return true;
  }

  @SuppressWarnings("ReferenceEquality") // slots are unique per id
  private int indexOf(Slot s) {
    for (int k = 0; k < slots.length; k++) {
      if (slots[k] == s) {
        return k;
      }
    }
    throw new IllegalStateException("endpoint " + s.endpoint + " is not in its service's order");
  }

  private void hold(Endpoint[] next, Slot[] nextSlots) {
    order = next;
    slots = nextSlots;
    view = next.length == 0 ? List.of() : new Snapshot(next);
  }

  /** An immutable list over an array that is never written once held. */
  private static final class Snapshot extends AbstractList<Endpoint> implements RandomAccess {
    private final Endpoint[] a;

    Snapshot(Endpoint[] a) {
      this.a = a;
    }

    @Override
    public Endpoint get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }

    @Override
    public Object[] toArray() {
      return Arrays.copyOf(a, a.length, Object[].class);
    }
  }
}
