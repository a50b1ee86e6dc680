package io.meshsdk.core.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/** Discovery providers found through {@code META-INF/services} by {@link ServiceDiscoveriesTest}. */
public final class RecordingDiscoveryProviders {

  private RecordingDiscoveryProviders() {}

  /** What the last provider was asked to create. */
  static volatile URI lastUri;
  static volatile Map<String, String> lastProperties = Map.of();
  static volatile String lastProvider = "";

  private abstract static class Recording implements ServiceDiscoveryProvider {
    @Override
    public ServiceDiscovery create(URI uri, Map<String, String> properties) {
      lastUri = uri;
      lastProperties = properties;
      lastProvider = getClass().getSimpleName();
      return StaticServiceDiscovery.create();
    }
  }

  /** Scheme {@code recorded}, keys {@code session-timeout} and {@code root}. */
  public static final class Recorded extends Recording {
    @Override
    public Set<String> schemes() {
      return Set.of("recorded", "rec");
    }

    @Override
    public Set<String> propertyKeys() {
      return Set.of("session-timeout", "root");
    }
  }

  /** Scheme {@code dup} at the default priority. */
  public static final class DupLow extends Recording {
    @Override
    public Set<String> schemes() {
      return Set.of("dup");
    }
  }

  /** Scheme {@code dup} at a higher priority: wins. */
  public static final class DupHigh extends Recording {
    @Override
    public Set<String> schemes() {
      return Set.of("dup");
    }

    @Override
    public int priority() {
      return 10;
    }
  }

  /** Scheme {@code absent}, whose client library is "missing": never offered. */
  public static final class Unavailable extends Recording {
    @Override
    public Set<String> schemes() {
      return Set.of("absent");
    }

    @Override
    public boolean isAvailable() {
      return false;
    }
  }
}
