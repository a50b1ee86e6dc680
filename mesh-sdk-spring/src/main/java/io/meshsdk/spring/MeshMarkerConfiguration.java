package io.meshsdk.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Imported by {@link EnableMesh}: registers the marker that {@link MeshAutoConfiguration} is conditional on. */
@Configuration(proxyBeanMethods = false)
public class MeshMarkerConfiguration {

  /** Creates the configuration (Spring calls it). */
  public MeshMarkerConfiguration() {}

  /** The marker bean. */
  @Bean
  Marker meshMarker() {
    return new Marker();
  }

  /** The marker: its presence means the application asked for the mesh with {@link EnableMesh}. */
  public static final class Marker {
    Marker() {}
  }
}
