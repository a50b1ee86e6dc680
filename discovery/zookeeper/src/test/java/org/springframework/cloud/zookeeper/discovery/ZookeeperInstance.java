package org.springframework.cloud.zookeeper.discovery;

import java.util.HashMap;
import java.util.Map;

/**
 * A test stand-in with the name and the shape (id, name, string metadata) of Spring Cloud Zookeeper's payload class,
 * so that curator-x-discovery's {@code JsonInstanceSerializer} writes and reads {@code "@class":
 * "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance"} exactly as a Spring application does, without
 * the Spring jar on the test class path.
 */
public class ZookeeperInstance {

  private String id;
  private String name;
  private Map<String, String> metadata = new HashMap<>();

  @SuppressWarnings("unused") // Jackson
  private ZookeeperInstance() {}

  /** A payload. */
  public ZookeeperInstance(String id, String name, Map<String, String> metadata) {
    this.id = id;
    this.name = name;
    this.metadata = metadata;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Map<String, String> getMetadata() {
    return metadata;
  }

  public void setMetadata(Map<String, String> metadata) {
    this.metadata = metadata;
  }
}
