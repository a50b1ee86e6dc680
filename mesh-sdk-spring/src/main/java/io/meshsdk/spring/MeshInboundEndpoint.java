package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.sidecar.InboundFlipException;
import io.meshsdk.core.sidecar.InboundMode;
import io.meshsdk.core.sidecar.InboundRegistration;
import io.meshsdk.core.sidecar.InboundTransition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/meshinbound}: which listener this instance's registration advertises (the application's port or
 * the sidecar's inbound port), with the last flips; a write ({@code POST {"mode":"sidecar","reason":"OPS-42"}})
 * flips it, make-before-break, and answers once the old entry is withdrawn. A failed flip answers
 * {@code "flipped": false} with the error, and the registration stays as it was.
 */
@Endpoint(id = "meshinbound")
public class MeshInboundEndpoint {

  private final MeshRegistrar registrar;

  /** An endpoint over {@code registrar}'s registration. */
  public MeshInboundEndpoint(MeshRegistrar registrar) {
    this.registrar = requireNonNull(registrar, "registrar");
  }

  /** The registration's mode, advertised address and last flips. */
  @ReadOperation
  public Map<String, Object> inbound() {
    InboundRegistration r = registrar.inbound();
    Map<String, Object> out = new LinkedHashMap<>();
    if (r == null) {
      out.put("registered", false);
      return out;
    }
    out.put("registered", true);
    out.put("mode", r.mode().key());
    ServiceRegistration a = r.advertised();
    out.put("service", a.service());
    out.put("advertised", a.host() + ":" + a.port());
    out.put("applicationPort", r.application().port());
    out.put("status", r.current().status().name());
    List<Map<String, Object>> flips = new ArrayList<>();
    for (InboundTransition t : r.transitions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", t.at().toString());
      m.put("by", t.by());
      m.put("from", t.from().key());
      m.put("to", t.to().key());
      m.put("fromAddress", t.fromAddress());
      m.put("toAddress", t.toAddress());
      m.put("tookMillis", t.tookMillis());
      m.put("reason", t.reason());
      flips.add(m);
    }
    out.put("transitions", flips);
    return out;
  }

  /**
   * Flips the registration to {@code mode} ({@code application} or {@code sidecar}) by {@code actuator}.
   *
   * @return the state after, with {@code flipped} and, when it failed, {@code error}
   */
  @WriteOperation
  public Map<String, Object> flip(String mode, @Nullable String reason) {
    InboundRegistration r = registrar.inbound();
    Map<String, Object> result = new LinkedHashMap<>();
    if (r == null) {
      result.put("flipped", false);
      result.put("error", "this instance is not registered (no mesh.registry.uri, or not ready yet)");
      result.putAll(inbound());
      return result;
    }
    try {
      InboundMode target = InboundMode.parse("mode", mode);
      InboundMode before = r.flip(target, InboundTransition.BY_ACTUATOR, reason == null ? "" : reason);
      result.put("flipped", before != target);
    } catch (ConfigException | InboundFlipException | IllegalStateException e) {
      result.put("flipped", false);
      result.put("error", e.getMessage());
    }
    result.putAll(inbound());
    return result;
  }
}
