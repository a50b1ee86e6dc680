package io.meshsdk.benchmarks;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * OpenTelemetry's own floor on this machine, for the sampled-in tracing goal: what the SDK costs for the spans a
 * traced call needs, with nothing of the mesh. {@code oneSpan}: a CLIENT span started and ended (batch processor,
 * an exporter that drops); {@code oneSpanInjected}: plus its {@code traceparent} written into headers;
 * {@code oneSpanFourAttributes}: plus the four attributes HTTP semantic conventions require of a client span;
 * {@code twoSpansInjected}: a parent span and a child span under it, the child injected.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'TracingFloorBenchmark|ObservabilityBenchmark.callbacks' \
 *     -p observer=tracing-sampled-in -prof gc -f 2 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingFloorBenchmark {

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
  private static final TextMapSetter<String[]> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier[0] = value;
    }
  };

  private SdkTracerProvider provider;
  private Tracer tracer;
  private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
  private final String[] carrier = new String[1];

  @Setup(Level.Trial)
  public void setUp() {
    provider = SdkTracerProvider.builder()
        .setSampler(Sampler.alwaysOn())
        .addSpanProcessor(BatchSpanProcessor.builder(new ObservabilityBenchmark.DroppingExporter()).build())
        .build();
    tracer = provider.get("floor");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    provider.close();
  }

  @Benchmark
  public Span oneSpan() {
    Span s = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).startSpan();
    s.end();
    return s;
  }

  @Benchmark
  public @Nullable String oneSpanInjected() {
    Span s = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).startSpan();
    propagator.inject(Context.root().with(s), carrier, SETTER);
    s.end();
    return carrier[0];
  }

  @Benchmark
  public @Nullable String oneSpanFourAttributes() {
    Span s = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT)
        .setAttribute(METHOD, "GET")
        .setAttribute(ADDRESS, "127.0.0.1")
        .setAttribute(PORT, 9L)
        .setAttribute(URL, "http://127.0.0.1:9/items/42")
        .startSpan();
    propagator.inject(Context.root().with(s), carrier, SETTER);
    s.end();
    return carrier[0];
  }

  @Benchmark
  public @Nullable String twoSpansInjected() {
    Span parent = tracer.spanBuilder("GET inventory").startSpan();
    Context pc = Context.root().with(parent);
    Span child = tracer.spanBuilder("GET").setParent(pc).setSpanKind(SpanKind.CLIENT).startSpan();
    propagator.inject(pc.with(child), carrier, SETTER);
    child.end();
    parent.end();
    return carrier[0];
  }
}
