package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.metrics.MeshMetrics;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.tracing.MeshTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-call cost of observability (issue 4): no observer, tracing off, tracing sampled out, tracing sampled
 * in (batch processor, exporter that drops), Micrometer metrics, and metrics with tracing sampled out.
 *
 * <ul>
 *   <li>{@code pipeline}: a full mesh call through OkHttp (mesh interceptor in front of an interceptor that
 *       returns a canned response: no network), so the engine's own per-call work is included.
 *   <li>{@code callbacks}: only what the engine calls on the observer per single-attempt call
 *       (onCallStart, onAttemptStart, onAttemptEnd, onCallEnd) with pre-built event objects.
 * </ul>
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ObservabilityBenchmark -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObservabilityBenchmark {

  @Param({"none", "tracing-off", "tracing-sampled-out", "tracing-sampled-in", "metrics", "metrics+sampled-out"})
  public String observer = "none";

  private Mesh mesh;
  private MeshTracing tracing;
  private OkHttpClient client;
  private Request request;
  private MeshObserver meshObserver;
  private CallInfo callInfo;
  private AttemptInfo attemptInfo;
  private AttemptResult attemptResult;
  private CallResult callResult;
  private final OutboundHeaders headers = new OutboundHeaders() {
    @Override
    public @Nullable String get(String name) {
      return null;
    }

    @Override
    public void set(String name, String value) {}
  };

  /** Drops spans: measures the SDK and processor, not an exporter. */
  static final class DroppingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    Mesh.Builder b = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", 9)));
    MeshMetrics metrics = null;
    java.util.List<io.meshsdk.core.observe.MeshObserver> observers = new java.util.ArrayList<>();
    tracing = switch (observer) {
      case "tracing-off" -> MeshTracing.builder().enabled(false).build();
      case "tracing-sampled-out", "metrics+sampled-out" -> MeshTracing.builder().samplerRatio(0.0).build();
      case "tracing-sampled-in" -> MeshTracing.builder().samplerRatio(1.0)
          .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build();
      default -> MeshTracing.disabled();
    };
    if (observer.startsWith("metrics")) {
      metrics = MeshMetrics.create(new SimpleMeterRegistry());
      b.metrics(metrics);
      observers.add(metrics);
    }
    if (!observer.equals("none")) {
      b.observer(tracing.observer());
      observers.add(tracing.observer());
    }
    mesh = b.build();
    client = mesh.newOkHttpClient(new OkHttpClient.Builder()
        .addInterceptor(chain -> new Response.Builder()
            .request(chain.request())
            .protocol(Protocol.HTTP_1_1)
            .code(200)
            .message("OK")
            .build())
        .build());
    request = new Request.Builder().url("http://inventory/items/42").build();

    meshObserver = io.meshsdk.core.observe.MeshObserver.composite(observers); // what the engine calls
    EndpointState endpoint = mesh.endpoints("inventory").get(0);
    callInfo = new CallInfo("inventory", "GET", request.url(), Route.DIRECT, "least-request",
        io.meshsdk.core.observe.RequestHeaders.NONE);
    attemptInfo = new AttemptInfo(0, endpoint, request.url().newBuilder().host("127.0.0.1").port(9).build());
    attemptResult = new AttemptResult(Outcome.SUCCESS, 200, null, 1_000);
    callResult = new CallResult(Outcome.SUCCESS, 200, null, 1_000, 1, Route.DIRECT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mesh.close();
    tracing.close();
  }

  @Benchmark
  public int pipeline() throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    }
  }

  @Benchmark
  public CallObserver callbacks() {
    CallObserver obs = meshObserver.onCallStart(callInfo);
    if (obs != CallObserver.NOOP) {
      obs.onAttemptStart(attemptInfo, headers);
      obs.onAttemptEnd(attemptInfo, attemptResult);
      obs.onCallEnd(callResult);
    }
    return obs;
  }
}
