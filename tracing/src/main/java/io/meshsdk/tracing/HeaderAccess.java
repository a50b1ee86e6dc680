package io.meshsdk.tracing;

import io.meshsdk.core.observe.OutboundHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
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

  /** Reads inbound headers through a {@code name -> value} function. */
  static final TextMapGetter<Function<String, @Nullable String>> GETTER = new TextMapGetter<>() {
    @Override
    public @Nullable String get(@Nullable Function<String, @Nullable String> carrier, String key) {
      return carrier == null ? null : carrier.apply(key);
    }
  };
}
