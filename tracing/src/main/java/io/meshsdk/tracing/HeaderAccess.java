package io.meshsdk.tracing;

import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.RequestHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Adapters between the mesh's header views and OpenTelemetry's propagator carriers. */
final class HeaderAccess {

  private HeaderAccess() {}

  static final TextMapSetter<OutboundHeaders> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key, value);
    }
  };

  /** Reads the headers of the application's outbound request (a {@code traceparent} it set itself). */
  static final TextMapGetter<RequestHeaders> REQUEST = new TextMapGetter<>() {
    @Override
    public @Nullable String get(@Nullable RequestHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }

    // abstract in OpenTelemetry 1.55 (what Spring Boot 4.0 manages), a deprecated default method in 1.68:
    // implemented so that mesh-tracing compiles against both
    @Override
    @SuppressWarnings("deprecation") // deprecated in 1.68, abstract in 1.55
    public Iterable<String> keys(RequestHeaders carrier) {
      return List.of(); // the propagators in use look headers up by name
    }
  };

  /** Reads inbound headers through a {@code name -> value} function. */
  static final TextMapGetter<Function<String, @Nullable String>> GETTER = new TextMapGetter<>() {
    @Override
    public @Nullable String get(@Nullable Function<String, @Nullable String> carrier, String key) {
      return carrier == null ? null : carrier.apply(key);
    }

    @Override
    @SuppressWarnings("deprecation") // deprecated in 1.68, abstract in 1.55
    public Iterable<String> keys(Function<String, @Nullable String> carrier) {
      return List.of(); // a lookup function cannot list its names; the propagators in use look headers up by name
    }
  };
}
