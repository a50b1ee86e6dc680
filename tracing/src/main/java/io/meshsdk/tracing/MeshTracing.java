package io.meshsdk.tracing;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.ContextScope;
import io.meshsdk.core.observe.MeshObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry tracing of mesh calls, as a {@link MeshObserver}: one CLIENT span per attempt, as the HTTP
 * client semantic conventions model a call (a retry is a sibling span with {@code http.request.resend_count}),
 * with the attempt's context injected into its headers (W3C {@code traceparent}/{@code tracestate} and {@code
 * baggage}; B3 as an option). Mesh events (retries, fallbacks) become events on the attempt's span; a call the
 * mesh rejected before any attempt gets one INTERNAL span {@code <method> <service>} naming the reason.
 *
 * <pre>{@code
 * MeshTracing tracing = MeshTracing.builder()
 *     .otlpEndpoint("http://127.0.0.1:4318/v1/traces")
 *     .serviceName("orders").serviceVersion("1.4.2").deploymentEnvironment("prod")
 *     .samplerRatio(0.1)
 *     .build();
 * Mesh mesh = Mesh.builder().observer(tracing.observer()).build();
 * }</pre>
 *
 * <p>Costs: disabled, {@link #observer()} is {@link MeshObserver#NOOP} and the engine does nothing. A root
 * call that is sampled out is decided with one random draw before anything is created, and returns
 * {@link CallObserver#NOOP}: no span, no allocation. A call under a sampled-out parent creates no span but
 * still propagates the parent's context (flags {@code 00}); so does a sampled-out call carrying baggage.
 *
 * <p>Parent: the {@link Context#current()} of the thread when the call starts; when none is current, the
 * {@code traceparent} (and {@code baggage}) the application already put on its request, so a trace the
 * application received over another channel continues. Threads: every callback of a call runs on the thread
 * running the call (retries included), except the last attempt's end and the call's end, which run where the
 * response body is read or closed; spans are parented explicitly, not through the thread. For OkHttp's
 * asynchronous {@code enqueue}, create calls with {@code mesh.callFactory(client)}: it captures the context when
 * the call is created ({@link #captureContext()}) and makes it current on the dispatcher thread
 * ({@link #restoreContext(Object)}).
 *
 * <p>Ejections and other endpoint state changes are not span events: they happen on the mesh's control thread,
 * not inside any call, and metrics and {@code Mesh.snapshot()} report them.
 */
public final class MeshTracing implements MeshObserver, AutoCloseable {

  /** Instrumentation scope name of every span this module makes. */
  public static final String INSTRUMENTATION_NAME = "io.meshsdk.tracing";
  /** Default head-sampling ratio: 1.0 (every trace). */
  public static final double DEFAULT_SAMPLER_RATIO = 1.0;

  private final boolean enabled;
  private final OpenTelemetry openTelemetry;
  private final @Nullable OwnedSdk ownedSdk;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  /** Roots are sampled when a non-negative random long is below this; MAX_VALUE = always. */
  private final long rootThreshold;

  private MeshTracing(
      boolean enabled,
      OpenTelemetry openTelemetry,
      @Nullable OwnedSdk ownedSdk,
      TextMapPropagator propagator,
      double rootRatio) {
    this.enabled = enabled;
    this.openTelemetry = openTelemetry;
    this.ownedSdk = ownedSdk;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = propagator;
    this.rootThreshold = rootRatio >= 1.0 ? Long.MAX_VALUE : (long) (rootRatio * Long.MAX_VALUE);
  }

  /** A builder; see the class comment. */
  public static Builder builder() {
    return new Builder();
  }

  /** Tracing that is off: {@link #observer()} is {@link MeshObserver#NOOP}. */
  public static MeshTracing disabled() {
    return new MeshTracing(false, OpenTelemetry.noop(), null, TextMapPropagator.noop(), 0.0);
  }

  /** Whether tracing is on. */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * The observer to pass to {@code Mesh.builder().observer(...)}: this instance, or {@link MeshObserver#NOOP}
   * when tracing is off (then the engine builds no event objects at all).
   */
  public MeshObserver observer() {
    return enabled ? this : MeshObserver.NOOP;
  }

  /** The OpenTelemetry instance spans go to (the application's own, or the one this builder set up). */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The propagator that injects outbound and extracts inbound context. */
  public TextMapPropagator propagator() {
    return propagator;
  }

  /** Server-side helper sharing this tracing's OpenTelemetry and propagator. */
  public MeshServerTracing server() {
    return new MeshServerTracing(enabled, tracer, propagator);
  }

  @Override
  public @Nullable Object captureContext() {
    if (!enabled) {
      return null;
    }
    Context current = Context.current();
    return current == Context.root() ? null : current;
  }

  @Override
  @SuppressWarnings("MustBeClosedChecker") // the returned ContextScope closes it; the engine closes that
  public ContextScope restoreContext(Object captured) {
    if (!(captured instanceof Context context) || context == Context.current()) {
      return ContextScope.NONE;
    }
    Scope scope = context.makeCurrent();
    return scope::close;
  }

  /**
   * The trace id of the calling thread's current span (valid, sampled or not), so that {@code split:N}
   * sidecar routing keeps every call of one trace on one path before the traceparent header is injected.
   * OpenTelemetry caches the hex id in the span context: no allocation.
   */
  @Override
  public @Nullable String currentTraceId() {
    if (!enabled) {
      return null;
    }
    SpanContext current = Span.current().getSpanContext();
    return current.isValid() ? current.getTraceId() : null;
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    if (!enabled) {
      return CallObserver.NOOP;
    }
    Context parent = Context.current();
    SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
    if (!parentSpan.isValid()) { // continue a trace the application put on its request itself
      Context extracted = propagator.extract(parent, call.headers(), HeaderAccess.REQUEST);
      SpanContext fromHeaders = Span.fromContext(extracted).getSpanContext();
      if (fromHeaders.isValid() || !Baggage.fromContext(extracted).isEmpty()) {
        parent = extracted;
        parentSpan = fromHeaders;
      }
    }
    if (parentSpan.isValid()) {
      if (!parentSpan.isSampled()) {
        return new PropagatingCallObserver(propagator, parent);
      }
      return new TracingCallObserver(tracer, propagator, call, parent, false);
    } else {
      if (rootThreshold != Long.MAX_VALUE
          && (ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) >= rootThreshold) {
        return Baggage.fromContext(parent).isEmpty()
            ? CallObserver.NOOP
            : new PropagatingCallObserver(propagator, parent);
      }
    }
    return new TracingCallObserver(tracer, propagator, call, parent.with(MeshSampler.ROOT_DECIDED, Boolean.TRUE), true);
  }

  /** Exports what is buffered; waits up to {@code timeoutMillis}. Returns whether it completed. */
  public boolean flush(long timeoutMillis) {
    OwnedSdk sdk = ownedSdk;
    return sdk == null || sdk.flush(timeoutMillis);
  }

  /** Flushes and shuts down the SDK this builder set up; an application's own instance is left alone. */
  @Override
  public void close() {
    OwnedSdk sdk = ownedSdk;
    if (sdk != null) {
      sdk.shutdown();
    }
  }

  /** Builds {@link MeshTracing}; setters validate at once. */
  public static final class Builder {
    private boolean enabled = true;
    private @Nullable OpenTelemetry openTelemetry;
    private @Nullable String otlpEndpoint;
    private final Map<String, String> otlpHeaders = new LinkedHashMap<>();
    private @Nullable Double samplerRatio;
    private @Nullable String serviceName;
    private @Nullable String serviceVersion;
    private @Nullable String deploymentEnvironment;
    private final List<SpanProcessor> processors = new ArrayList<>();
    private boolean b3;

    private Builder() {}

    /** Turns tracing on or off (default on). Off: {@link MeshTracing#observer()} is a no-op. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Uses the application's own OpenTelemetry (its sampler, processors and exporters decide); the OTLP and
     * resource settings of this builder then do not apply.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Exports spans with OTLP over HTTP/protobuf to {@code endpoint}, e.g. {@code http://host:4318/v1/traces}. */
    public Builder otlpEndpoint(String endpoint) {
      requireNonNull(endpoint, "endpoint");
      if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
        throw new ConfigException("tracing.otlp.endpoint", endpoint, "an http:// or https:// URL");
      }
      this.otlpEndpoint = endpoint;
      return this;
    }

    /** Adds a header to every OTLP export request (e.g. an API key). */
    public Builder otlpHeader(String name, String value) {
      otlpHeaders.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      return this;
    }

    /**
     * Head-sampling ratio of traces that start at a mesh call, 0.0 to 1.0 (default 1.0); calls under an
     * existing trace follow their parent's decision.
     */
    public Builder samplerRatio(double ratio) {
      if (!(ratio >= 0.0 && ratio <= 1.0)) {
        throw new ConfigException("tracing.sampler.ratio", ratio, "0.0-1.0");
      }
      this.samplerRatio = ratio;
      return this;
    }

    /** Resource attribute {@code service.name}. */
    public Builder serviceName(String name) {
      this.serviceName = requireNonNull(name, "name");
      return this;
    }

    /** Resource attribute {@code service.version}. */
    public Builder serviceVersion(String version) {
      this.serviceVersion = requireNonNull(version, "version");
      return this;
    }

    /** Resource attributes {@code deployment.environment} and {@code deployment.environment.name}. */
    public Builder deploymentEnvironment(String environment) {
      this.deploymentEnvironment = requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Adds a span processor to the SDK this builder sets up (tests: an in-memory exporter). Needs
     * {@code opentelemetry-sdk} on the classpath.
     */
    public Builder addSpanProcessor(SpanProcessor processor) {
      processors.add(requireNonNull(processor, "processor"));
      return this;
    }

    /** Also injects (and accepts) B3 multi-header context, for peers that only speak B3 (default off). */
    public Builder b3(boolean enabled) {
      this.b3 = enabled;
      return this;
    }

    /**
     * Builds the tracing. With no exporter, processor or OpenTelemetry given, traces are still started and
     * propagated (so a downstream service continues them) but no span is exported; that is logged once.
     */
    public MeshTracing build() {
      if (!enabled) {
        return disabled();
      }
      TextMapPropagator propagator = b3
          ? TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(),
              B3Propagator.injectingMultiHeaders())
          : TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());
      OpenTelemetry given = openTelemetry;
      if (given != null) {
        if (otlpEndpoint != null || !otlpHeaders.isEmpty() || !processors.isEmpty() || serviceName != null
            || serviceVersion != null || deploymentEnvironment != null) {
          throw new IllegalStateException("openTelemetry(...) is set: the OTLP exporter, span processors and the"
              + " resource (service name, version, environment) are the application's own to configure");
        }
        if (given == OpenTelemetry.noop()) {
          return disabled();
        }
        return new MeshTracing(true, given, null, propagator, samplerRatio == null ? 1.0 : samplerRatio);
      }
      double ratio = samplerRatio == null ? DEFAULT_SAMPLER_RATIO : samplerRatio;
      requireOnClasspath("io.opentelemetry.sdk.OpenTelemetrySdk", "io.opentelemetry:opentelemetry-sdk",
          "to let MeshTracing set up the SDK");
      if (otlpEndpoint != null) {
        requireOnClasspath("io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter",
            "io.opentelemetry:opentelemetry-exporter-otlp", "for otlpEndpoint(...)");
      }
      OwnedSdk sdk = OwnedSdk.create(new OwnedSdk.Settings(ratio, serviceName, serviceVersion, deploymentEnvironment,
          otlpEndpoint, otlpHeaders, processors, propagator));
      return new MeshTracing(true, sdk.openTelemetry(), sdk, propagator, ratio);
    }

    private static void requireOnClasspath(String className, String artifact, String what) {
      try {
        Class.forName(className, false, MeshTracing.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("MeshTracing: " + artifact + " is not on the classpath; add it " + what
            + ", or pass the application's OpenTelemetry with openTelemetry(...) (mesh-tracing needs only the"
            + " OpenTelemetry API)", e);
      }
    }
  }
}
