package io.meshsdk.core.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRegistriesTest {

  static volatile Map<String, String> lastProperties = Map.of();
  static volatile URI lastUri;

  /** Scheme {@code memory}, key {@code ttl}; found through {@code META-INF/services}. */
  public static final class MemoryProvider implements ServiceRegistryProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("memory");
    }

    @Override
    public Set<String> propertyKeys() {
      return Set.of("ttl");
    }

    @Override
    public ServiceRegistry create(URI uri, Map<String, String> properties) {
      lastUri = uri;
      lastProperties = properties;
      return StaticServiceDiscovery.create().registry();
    }
  }

  @Test
  void aProviderIsSelectedByItsSchemeAndGetsOnlyItsOwnKeys() {
    ServiceRegistry r = ServiceRegistries.create("Memory://local", Map.of(
        "mesh.registry.memory.ttl", "10s",
        "mesh.registry.other.ttl", "5s",
        "mesh.discovery.uri", "static:"));
    assertThat(r).isNotNull();
    assertThat(lastUri.toString()).isEqualTo("Memory://local");
    assertThat(lastProperties).containsExactly(Map.entry("ttl", "10s"));
    assertThat(ServiceRegistries.schemes()).contains("memory");
  }

  @Test
  void fromPropertiesSelectsByTheUriKeyAndIsEmptyWithoutIt() {
    assertThat(ServiceRegistries.fromProperties(Map.of("other", "x"))).isEmpty();
    assertThat(ServiceRegistries.fromProperties(Map.of("mesh.registry.uri", "memory://local"))).isPresent();
    ConfigException stray = catchThrowableOfType(ConfigException.class,
        () -> ServiceRegistries.fromProperties(Map.of("mesh.registry.memory.ttl", "10s")));
    assertThat(stray.key()).isEqualTo("mesh.registry.memory.ttl");
    assertThat(stray.getMessage()).contains("mesh.registry.uri");
  }

  @Test
  void anUnknownKeyIsRefusedNamingItAndTheKnownOnes() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServiceRegistries.create("memory://local",
        Map.of("mesh.registry.memory.tll", "10s")));
    assertThat(e.key()).isEqualTo("mesh.registry.memory.tll");
    assertThat(e).hasMessageContaining("[ttl]");
  }

  @Test
  void anUnknownSchemeOrMalformedUriIsRefusedNamingTheKey() {
    ConfigException unknown = catchThrowableOfType(ConfigException.class,
        () -> ServiceRegistries.create("zookeeper://127.0.0.1:2181", Map.of()));
    assertThat(unknown.key()).isEqualTo(ServiceRegistries.URI_KEY);
    assertThat(unknown).hasMessageContaining("memory");
    ConfigException malformed = catchThrowableOfType(ConfigException.class,
        () -> ServiceRegistries.create("memory:// x", Map.of()));
    assertThat(malformed.key()).isEqualTo(ServiceRegistries.URI_KEY);
  }
}
