package io.meshsdk.discovery.etcd;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value of an instance key: a JSON object
 * {@code {"id","service","host","port","secure","weight","zone","labels":{...}}}. {@code host} and {@code port}
 * are required; {@code id} defaults to the key's last segment, {@code secure} to false, {@code weight} to 1,
 * {@code zone} to the label {@code zone} (or ""); {@code service}, when present, must name the key's service.
 * Unknown members are ignored, so that newer writers can add fields.
 */
final class EtcdEndpointCodec {

  private EtcdEndpointCodec() {}

  /** The JSON value the registry writes for {@code registration} as instance {@code id}. */
  static String encode(String id, ServiceRegistration registration) {
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"id\":");
    Json.writeString(sb, id);
    sb.append(",\"service\":");
    Json.writeString(sb, registration.service());
    sb.append(",\"host\":");
    Json.writeString(sb, registration.host());
    sb.append(",\"port\":").append(registration.port());
    sb.append(",\"secure\":false,\"weight\":").append(Endpoint.DEFAULT_WEIGHT);
    sb.append(",\"zone\":");
    Json.writeString(sb, registration.labels().getOrDefault("zone", ""));
    sb.append(",\"labels\":{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(registration.labels()).entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      Json.writeString(sb, e.getKey());
      sb.append(':');
      Json.writeString(sb, e.getValue());
    }
    return sb.append("}}").toString();
  }

  /**
   * The endpoint in {@code json}, the value of key {@code <prefix>/<service>/<keyId>}.
   *
   * @throws IllegalArgumentException saying what is wrong, when it is not a valid endpoint
   */
  static Endpoint decode(String service, String keyId, String json) {
    if (!(Json.parse(json) instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String declared = Json.asString(m.get("service"));
    if (m.containsKey("service") && !service.equals(declared)) {
      throw new IllegalArgumentException("\"service\" is " + m.get("service") + ", not the key's service " + service);
    }
    String host = Json.asString(m.get("host"));
    if (host == null) {
      throw new IllegalArgumentException("\"host\" missing or not a string");
    }
    if (!m.containsKey("port")) {
      throw new IllegalArgumentException("\"port\" missing");
    }
    int port = intMember(m, "port", 0);
    String id = m.containsKey("id") ? Json.asString(m.get("id")) : keyId;
    if (id == null) {
      throw new IllegalArgumentException("\"id\" is not a string");
    }
    Object rawSecure = m.get("secure");
    boolean secure = false;
    if (rawSecure instanceof Boolean b) {
      secure = b;
    } else if (rawSecure != null) {
      throw new IllegalArgumentException("\"secure\" is not true or false");
    }
    int weight = intMember(m, "weight", Endpoint.DEFAULT_WEIGHT);
    Map<String, String> labels = new LinkedHashMap<>();
    Object rawLabels = m.get("labels");
    if (rawLabels instanceof Map<?, ?> lm) {
      for (Map.Entry<?, ?> e : lm.entrySet()) {
        if (!(e.getValue() instanceof String v)) {
          throw new IllegalArgumentException("label \"" + e.getKey() + "\" is not a string");
        }
        labels.put((String) e.getKey(), v);
      }
    } else if (rawLabels != null && rawLabels != Json.NULL) {
      throw new IllegalArgumentException("\"labels\" is not an object");
    }
    String zone = m.containsKey("zone") ? Json.asString(m.get("zone")) : labels.getOrDefault("zone", "");
    if (zone == null) {
      throw new IllegalArgumentException("\"zone\" is not a string");
    }
    // the record validates host, port, id and weight, and says which one is wrong
    return new Endpoint(service, id, host, port, secure, weight, zone, labels);
  }

  private static int intMember(Map<?, ?> m, String name, int absent) {
    Object v = m.get(name);
    if (v == null) {
      return absent;
    }
    if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("\"" + name + "\" is not an integer: " + v);
    }
    return (int) (long) l;
  }
}
