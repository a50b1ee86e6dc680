package io.meshsdk.core.config;

import java.util.function.Consumer;

/**
 * Where the mesh config comes from at run time: the current config plus change notifications. Wire a source to
 * a mesh with {@code source.subscribe(mesh::reconfigure)}: every change recompiles the changed services'
 * pipelines and swaps them atomically; calls in flight finish on their old pipeline, nothing restarts.
 *
 * <pre>{@code
 * FileConfigSource source = FileConfigSource.watch(Path.of("/etc/app/mesh.properties"), Duration.ofSeconds(2));
 * Mesh mesh = Mesh.builder().config(source.current()).build();
 * source.subscribe(mesh::reconfigure);
 * // later: edit mesh.services.inventory.route.mode=split:10 in the file
 * }</pre>
 */
public interface ConfigSource extends AutoCloseable {

  /** The config in force now (the last valid one read). */
  MeshConfig current();

  /**
   * Calls {@code listener} with every new valid config from now on (not with the current one). Listeners are
   * called on the source's own thread, one change at a time, in the order of subscription.
   *
   * @return closing it unsubscribes
   */
  Subscription subscribe(Consumer<MeshConfig> listener);

  /** Stops watching; no more notifications. */
  @Override
  void close();

  /** A listener registration. */
  interface Subscription extends AutoCloseable {
    /** Unsubscribes. */
    @Override
    void close();
  }
}
