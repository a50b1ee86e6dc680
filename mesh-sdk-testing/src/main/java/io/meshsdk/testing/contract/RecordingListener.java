package io.meshsdk.testing.contract;

import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.endpoint.Endpoint;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** A {@link DiscoveryListener} that records what it is told, for tests. Thread-safe. */
public final class RecordingListener implements DiscoveryListener {

  private final CopyOnWriteArrayList<List<Endpoint>> snapshots = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicInteger deletions = new AtomicInteger();
  private final AtomicInteger callbacks = new AtomicInteger();
  private final AtomicInteger concurrent = new AtomicInteger();
  private volatile boolean overlapped;

  @Override
  public void onEndpoints(List<Endpoint> endpoints) {
    enter();
    try {
      snapshots.add(List.copyOf(endpoints));
    } finally {
      exit();
    }
  }

  @Override
  public void onServiceDeleted() {
    enter();
    try {
      deletions.incrementAndGet();
    } finally {
      exit();
    }
  }

  @Override
  public void onError(Throwable error) {
    enter();
    try {
      errors.add(error);
    } finally {
      exit();
    }
  }

  private void enter() {
    callbacks.incrementAndGet();
    if (concurrent.incrementAndGet() > 1) {
      overlapped = true;
    }
  }

  private void exit() {
    concurrent.decrementAndGet();
  }

  /** The last snapshot, or {@code null} before the first. */
  public @Nullable List<Endpoint> last() {
    return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
  }

  /** The ids of the last snapshot (empty before the first). */
  public Set<String> lastIds() {
    List<Endpoint> l = last();
    return l == null ? Set.of() : l.stream().map(Endpoint::id).collect(Collectors.toSet());
  }

  /** Every snapshot so far. */
  public List<List<Endpoint>> snapshots() {
    return List.copyOf(snapshots);
  }

  /** Errors so far. */
  public List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /** Deletions so far. */
  public int deletions() {
    return deletions.get();
  }

  /** Callbacks of any kind so far. */
  public int callbacks() {
    return callbacks.get();
  }

  /** Whether two callbacks ever ran at the same time (the contract says they are serialized). */
  public boolean overlapped() {
    return overlapped;
  }
}
