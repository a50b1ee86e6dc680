package io.meshsdk.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code mesh.*} keys the starter itself reads, documented for IDE completion (the configuration processor
 * turns this class into metadata). It is <em>not</em> bound: the starter flattens the {@code mesh.*} properties of
 * the environment and hands them to the core ({@link MeshSettings}), which is the single judge of what is valid.
 * The per-service keys ({@code mesh.defaults.*}, {@code mesh.services.<service>.*}), {@code mesh.sidecar.*} and
 * {@code mesh.inbound.*} are described in {@code additional-spring-configuration-metadata.json}; the discovery and
 * registry backends' own keys in their modules' READMEs.
 */
@ConfigurationProperties("mesh")
public class MeshProperties {

  /** Whether the mesh is on (it also needs @EnableMesh on the application). */
  private boolean enabled = true;
  /** This service's name: the x-mesh-caller header of its calls and the default registration name. Default: spring.application.name. */
  private @Nullable String localService;
  /** Host suffix that marks mesh services (e.g. ".mesh"); "" means only declared and discovered names. */
  private String domain = "";
  /** Directory for each service's last-known-good endpoints, served at a cold start with discovery down. */
  private @Nullable Path failsafeDirectory;
  /** How long the drain keeps serving after deregistering, so callers' discovery sees the instance leave. */
  private Duration drainDelay = Duration.ofSeconds(3);
  /** How long the drain waits for admitted requests to finish. */
  private Duration drainTimeout = Duration.ofSeconds(30);
  /** How long a first call waits for discovery's first answer. */
  private Duration discoveryWait = Duration.ofSeconds(2);
  /** Discovery backend. */
  private final Discovery discovery = new Discovery();
  /** Registry this instance registers in. */
  private final Registry registry = new Registry();
  /** This instance's registration. */
  private final Registration registration = new Registration();
  /** Run-time config file. */
  private final Config config = new Config();
  /** Tracing with mesh-tracing. */
  private final Tracing tracing = new Tracing();
  /** The inbound servlet filter. */
  private final Server server = new Server();

  /** Creates the defaults. */
  public MeshProperties() {}

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable String getLocalService() {
    return localService;
  }

  public void setLocalService(@Nullable String localService) {
    this.localService = localService;
  }

  public String getDomain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public @Nullable Path getFailsafeDirectory() {
    return failsafeDirectory;
  }

  public void setFailsafeDirectory(@Nullable Path failsafeDirectory) {
    this.failsafeDirectory = failsafeDirectory;
  }

  public Duration getDrainDelay() {
    return drainDelay;
  }

  public void setDrainDelay(Duration drainDelay) {
    this.drainDelay = drainDelay;
  }

  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  public void setDrainTimeout(Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
  }

  public Duration getDiscoveryWait() {
    return discoveryWait;
  }

  public void setDiscoveryWait(Duration discoveryWait) {
    this.discoveryWait = discoveryWait;
  }

  public Discovery getDiscovery() {
    return discovery;
  }

  public Registry getRegistry() {
    return registry;
  }

  public Registration getRegistration() {
    return registration;
  }

  public Config getConfig() {
    return config;
  }

  public Tracing getTracing() {
    return tracing;
  }

  public Server getServer() {
    return server;
  }

  /** {@code mesh.discovery.*}. */
  public static class Discovery {
    /** The backend by URI: static:..., file:..., zookeeper://host:port/base, etcd://..., kubernetes:, dns:. Its own keys go under mesh.discovery.<scheme>.*. */
    private @Nullable String uri;

    public @Nullable String getUri() {
      return uri;
    }

    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }
  }

  /** {@code mesh.registry.*}. */
  public static class Registry {
    /** The registry by URI (zookeeper://..., etcd://...); its own keys go under mesh.registry.<scheme>.*. Without it, nothing is registered. */
    private @Nullable String uri;

    public @Nullable String getUri() {
      return uri;
    }

    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }
  }

  /** {@code mesh.registration.*}. */
  public static class Registration {
    /** Whether to register when a registry is configured. */
    private boolean enabled = true;
    /** The service name to register under. Default: mesh.local-service. */
    private @Nullable String service;
    /** The host callers connect to. Default: server.address, else the first non-loopback IPv4 address. */
    private @Nullable String host;
    /** The port callers connect to. Default (0): the running web server's port. */
    private int port;
    /** Labels (metadata) of the registration, e.g. version, zone. */
    private Map<String, String> labels = new LinkedHashMap<>();
    /**
     * Which listener to register: "application" (the port above) or "sidecar" (mesh.sidecar.inbound-port, callers
     * reach the application through its sidecar). Flippable at run time (actuator meshinbound, MeshRegistrar).
     */
    private String inbound = "application";
    /** How long both registry entries stay after a flip's new entry is acknowledged, before the old one goes. */
    private Duration inboundOverlap = Duration.ofSeconds(2);
    /** How long a flip waits for the registry to acknowledge the new entry before it fails (the old entry stays). */
    private Duration inboundAcknowledgeTimeout = Duration.ofSeconds(10);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable String getService() {
      return service;
    }

    public void setService(@Nullable String service) {
      this.service = service;
    }

    public @Nullable String getHost() {
      return host;
    }

    public void setHost(@Nullable String host) {
      this.host = host;
    }

    public int getPort() {
      return port;
    }

    public void setPort(int port) {
      this.port = port;
    }

    public Map<String, String> getLabels() {
      return labels;
    }

    public void setLabels(Map<String, String> labels) {
      this.labels = labels;
    }

    public String getInbound() {
      return inbound;
    }

    public void setInbound(String inbound) {
      this.inbound = inbound;
    }

    public Duration getInboundOverlap() {
      return inboundOverlap;
    }

    public void setInboundOverlap(Duration inboundOverlap) {
      this.inboundOverlap = inboundOverlap;
    }

    public Duration getInboundAcknowledgeTimeout() {
      return inboundAcknowledgeTimeout;
    }

    public void setInboundAcknowledgeTimeout(Duration inboundAcknowledgeTimeout) {
      this.inboundAcknowledgeTimeout = inboundAcknowledgeTimeout;
    }
  }

  /** {@code mesh.config.*}. */
  public static class Config {
    /** A properties file of mesh.domain/defaults/services keys, watched and applied at run time (it replaces the environment's). */
    private @Nullable Path file;
    /** How often the file is checked. */
    private Duration pollInterval = Duration.ofSeconds(2);

    public @Nullable Path getFile() {
      return file;
    }

    public void setFile(@Nullable Path file) {
      this.file = file;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }
  }

  /** {@code mesh.tracing.*}. */
  public static class Tracing {
    /** Whether mesh-tracing (when on the class path) traces mesh calls. */
    private boolean enabled = true;
    /** SERVER spans in the inbound filter: auto (unless Micrometer Tracing makes them), always or never. */
    private String serverSpans = "auto";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getServerSpans() {
      return serverSpans;
    }

    public void setServerSpans(String serverSpans) {
      this.serverSpans = serverSpans;
    }
  }

  /** {@code mesh.server.*}. */
  public static class Server {
    /** Whether the inbound servlet filter (limits, deadlines, drain, server metrics and spans) is installed. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
