package io.meshsdk.discovery.zookeeper;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringTokenizer;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The curator-x-discovery {@code ServiceInstance} JSON, with Spring Cloud Zookeeper's {@code ZookeeperInstance}
 * payload, that a node {@code <basePath>/<service>/<id>} holds: written for a registration, read into an endpoint.
 */
final class InstanceJson {

  /** The payload class Spring Cloud Zookeeper writes and requires ({@code @class} of the payload). */
  static final String SPRING_PAYLOAD_CLASS = "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance";
  /** The metadata key of an instance's status; anything but {@value #STATUS_UP} keeps it out of the endpoints. */
  static final String INSTANCE_STATUS = "instance_status";
  /** The status of an instance that takes traffic. */
  static final String STATUS_UP = "UP";

  /** Refuses data after the instance's object (garbage, a second document): a damaged node, not an instance. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private InstanceJson() {}

  /** What a node held. */
  sealed interface Parsed {}

  /** A usable endpoint. */
  record Usable(Endpoint endpoint) implements Parsed {}

  /** A well-formed instance that takes no traffic now (draining, disabled). */
  record Excluded(String reason) implements Parsed {}

  /** Data this backend cannot read. */
  record Unreadable(String reason) implements Parsed {}

  /**
   * Reads the data of node {@code nodeName} of {@code service}.
   *
   * @param service the canonical service name (the endpoint's)
   */
  static Parsed parse(String service, String nodeName, byte @Nullable [] data) {
    if (data == null || data.length == 0) {
      return new Unreadable("empty node data");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(data);
    } catch (IOException e) {
      return new Unreadable("not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      return new Unreadable("not a JSON object");
    }
    JsonNode addressNode = root.get("address");
    String address = addressNode != null && addressNode.isTextual() ? addressNode.textValue() : null; // not 5, true
    if (address == null || address.isBlank()) {
      return new Unreadable("no address (a string)");
    }
    Integer port = port(root.get("port"));
    Integer sslPort = port(root.get("sslPort"));
    if (port == null && sslPort == null) {
      return new Unreadable("no port or sslPort between 1 and 65535");
    }
    JsonNode enabled = root.get("enabled");
    if (enabled != null && enabled.isBoolean() && !enabled.booleanValue()) {
      return new Excluded("enabled=false");
    }
    String id = text(root.get("id"));
    if (id == null || id.isBlank()) {
      id = nodeName;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode payload = root.get("payload");
    if (payload != null && !payload.isNull()) {
      if (!payload.isObject()) {
        return new Unreadable("payload is not an object");
      }
      String payloadClass = text(payload.get("@class"));
      if (!SPRING_PAYLOAD_CLASS.equals(payloadClass)) {
        return new Unreadable("payload class " + payloadClass + " (expected " + SPRING_PAYLOAD_CLASS + ")");
      }
      JsonNode meta = payload.get("metadata");
      if (meta != null && !meta.isNull()) {
        if (!meta.isObject()) {
          return new Unreadable("payload metadata is not an object");
        }
        for (Map.Entry<String, JsonNode> e : meta.properties()) {
          JsonNode v = e.getValue();
          if (v.isNull()) {
            continue;
          }
          if (!v.isValueNode()) {
            return new Unreadable("metadata '" + e.getKey() + "' is not a string");
          }
          metadata.put(e.getKey(), v.asText());
        }
      }
    }
    String status = metadata.get(INSTANCE_STATUS);
    if (status != null && !status.equalsIgnoreCase(STATUS_UP)) {
      return new Excluded(INSTANCE_STATUS + "=" + status);
    }
    boolean secure = sslPort != null;
    int effectivePort = sslPort != null ? sslPort : requireNonNull(port, "port");
    int weight = Endpoint.DEFAULT_WEIGHT;
    String w = metadata.get("weight");
    if (w != null) {
      try {
        int parsed = Integer.parseInt(w.trim());
        if (parsed >= Endpoint.MIN_WEIGHT && parsed <= Endpoint.MAX_WEIGHT) {
          weight = parsed;
        }
      } catch (NumberFormatException ignored) {
        // a label like any other; the endpoint keeps the default weight
      }
    }
    try {
      return new Usable(new Endpoint(service, id, address.trim(), effectivePort, secure, weight,
          metadata.getOrDefault("zone", ""), metadata));
    } catch (IllegalArgumentException e) {
      return new Unreadable(String.valueOf(e.getMessage()));
    }
  }

  /**
   * The JSON Spring Cloud Zookeeper would write for {@code registration} under {@code id}: the labels are the
   * payload's metadata, with {@value #INSTANCE_STATUS}={@value #STATUS_UP} unless a label says otherwise.
   */
  static byte[] write(ServiceRegistration registration, String id, long registrationTimeUtc, String uriSpec) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("name", registration.service());
    root.put("id", id);
    root.put("address", registration.host());
    root.put("port", registration.port());
    root.putNull("sslPort");
    ObjectNode payload = root.putObject("payload");
    payload.put("@class", SPRING_PAYLOAD_CLASS);
    payload.put("id", registration.service());
    payload.put("name", registration.service());
    ObjectNode meta = payload.putObject("metadata");
    Map<String, String> metadata = new TreeMap<>(registration.labels());
    metadata.putIfAbsent(INSTANCE_STATUS, STATUS_UP);
    metadata.forEach(meta::put);
    root.put("registrationTimeUTC", registrationTimeUtc);
    root.put("serviceType", "DYNAMIC");
    ObjectNode spec = root.putObject("uriSpec");
    ArrayNode parts = spec.putArray("parts");
    uriSpecParts(uriSpec, parts);
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Splits a URI spec as curator-x-discovery's {@code UriSpec} does: {@code {variable}} parts (trimmed) and literal
   * parts.
   *
   * @throws IllegalArgumentException for a nested, unopened or unclosed brace
   */
  static void uriSpecParts(String spec, ArrayNode parts) {
    boolean inVariable = false;
    StringTokenizer tokens = new StringTokenizer(spec, "{}", true);
    while (tokens.hasMoreTokens()) {
      String token = tokens.nextToken();
      if (token.equals("{")) {
        if (inVariable) {
          throw new IllegalArgumentException("'{' inside a variable");
        }
        inVariable = true;
      } else if (token.equals("}")) {
        if (!inVariable) {
          throw new IllegalArgumentException("'}' without '{'");
        }
        inVariable = false;
      } else {
        ObjectNode part = parts.addObject();
        part.put("value", inVariable ? token.trim() : token);
        part.put("variable", inVariable);
      }
    }
    if (inVariable) {
      throw new IllegalArgumentException("a variable is not closed with '}'");
    }
  }

  /** Checks {@code spec} is a URI spec curator-x-discovery can parse. */
  static void checkUriSpec(String spec) {
    uriSpecParts(spec, MAPPER.createArrayNode());
  }

  private static @Nullable String text(@Nullable JsonNode n) {
    return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
  }

  private static @Nullable Integer port(@Nullable JsonNode n) {
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      return null;
    }
    int p = n.intValue();
    return p >= 1 && p <= 65535 ? p : null;
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
