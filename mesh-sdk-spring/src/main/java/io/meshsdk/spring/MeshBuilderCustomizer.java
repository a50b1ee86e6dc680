package io.meshsdk.spring;

import io.meshsdk.core.Mesh;

/**
 * Changes the {@link Mesh.Builder} before the starter builds the {@link Mesh} bean: add an observer, a ticker, an
 * OkHttp client with the application's TLS settings... Every bean of this type is applied, in {@code @Order}.
 */
@FunctionalInterface
public interface MeshBuilderCustomizer {

  /** Changes {@code builder}. */
  void customize(Mesh.Builder builder);
}
