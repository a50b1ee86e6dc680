package io.meshsdk.discovery.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Writing the layout directly, as an operator (or another writer) would. */
final class EtcdTestSupport {

  private EtcdTestSupport() {}

  static String newPrefix() {
    return "/t/" + UUID.randomUUID();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** The JSON of {@code e} as the layout defines it. */
  static String json(Endpoint e) {
    StringBuilder sb = new StringBuilder("{\"id\":");
    Json.writeString(sb, e.id());
    sb.append(",\"service\":");
    Json.writeString(sb, e.service());
    sb.append(",\"host\":");
    Json.writeString(sb, e.host());
    sb.append(",\"port\":").append(e.port()).append(",\"secure\":").append(e.secure()).append(",\"weight\":")
        .append(e.weight()).append(",\"zone\":");
    Json.writeString(sb, e.zone());
    sb.append(",\"labels\":{");
    boolean first = true;
    for (var l : new TreeMap<>(e.labels()).entrySet()) {
      sb.append(first ? "" : ",");
      first = false;
      Json.writeString(sb, l.getKey());
      sb.append(':');
      Json.writeString(sb, l.getValue());
    }
    return sb.append("}}").toString();
  }

  /** The key of instance {@code e}: its id with ':' kept (any character but '/' is fine). */
  static String key(String prefix, Endpoint e) {
    return prefix + "/" + e.service() + "/" + e.id().replace('/', '_');
  }

  /**
   * Replaces every instance of {@code service} with {@code endpoints} (transactions of up to 128 operations, etcd's
   * limit); keeps or creates the service key.
   */
  static void publish(Client c, String prefix, String service, List<Endpoint> endpoints) throws Exception {
    List<Op> ops = new ArrayList<>();
    java.util.Set<String> keep = new java.util.HashSet<>();
    for (Endpoint e : endpoints) {
      keep.add(key(prefix, e));
    }
    for (var kv : c.getKVClient().get(bytes(prefix + "/" + service + "/"),
        io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withKeysOnly(true).build())
        .get(10, TimeUnit.SECONDS).getKvs()) {
      String k = kv.getKey().toString(StandardCharsets.UTF_8);
      if (!keep.contains(k)) {
        ops.add(Op.delete(kv.getKey(), DeleteOption.DEFAULT));
      }
    }
    ops.add(Op.put(bytes(prefix + "/" + service), bytes("{\"service\":\"" + service + "\"}"), PutOption.DEFAULT));
    for (Endpoint e : endpoints) {
      ops.add(Op.put(bytes(key(prefix, e)), bytes(json(e)), PutOption.DEFAULT));
    }
    for (int i = 0; i < ops.size(); i += 128) {
      List<Op> chunk = ops.subList(i, Math.min(ops.size(), i + 128));
      c.getKVClient().txn().Then(chunk.toArray(Op[]::new)).commit().get(10, TimeUnit.SECONDS);
    }
  }

  /** Deletes the service: its instances and its service key, in one transaction. */
  static void deleteService(Client c, String prefix, String service) throws Exception {
    c.getKVClient().txn().Then(
        Op.delete(bytes(prefix + "/" + service + "/"), DeleteOption.builder().isPrefix(true).build()),
        Op.delete(bytes(prefix + "/" + service), DeleteOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS);
  }

  static void put(Client c, String key, String value) throws Exception {
    c.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
  }

  static void delete(Client c, String key) throws Exception {
    c.getKVClient().delete(bytes(key)).get(10, TimeUnit.SECONDS);
  }

  static ServiceRegistration registration(String service, int port) {
    return ServiceRegistration.of(service, "127.0.0.1", port);
  }
}
