package io.meshsdk.core.internal.engine;

import io.meshsdk.core.Mesh;
import java.lang.reflect.Field;

/** The engine behind a {@link Mesh}, for tests of the engine's package that need its internals. */
final class Engines {

  private Engines() {}

  static MeshEngine of(Mesh mesh) throws ReflectiveOperationException {
    Field f = Mesh.class.getDeclaredField("engine");
    f.setAccessible(true);
    return (MeshEngine) f.get(mesh);
  }
}
