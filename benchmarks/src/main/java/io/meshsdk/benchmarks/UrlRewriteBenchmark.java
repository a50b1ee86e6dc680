package io.meshsdk.benchmarks;

import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ways to turn a logical URL into an endpoint URL, the one string-heavy step of the call path. Kept to
 * justify the choice in {@code TrackedEndpoint.urlFor} (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class UrlRewriteBenchmark {

  private final HttpUrl logical = HttpUrl.get("http://inventory/items/42?verbose=true");
  private final HttpUrl base = HttpUrl.get("http://10.0.0.7:8080/");
  private final Request request = new Request.Builder().url(logical).header("accept", "application/json").build();

  /** What the pipeline does: copy the logical URL, swap scheme/host/port from a pre-parsed base. */
  @Benchmark
  public HttpUrl newBuilderFromLogical() {
    return logical.newBuilder().scheme(base.scheme()).host(base.host()).port(base.port()).build();
  }

  /** Copy the pre-parsed base (host already canonical) and put the logical path and query on it. */
  @Benchmark
  public HttpUrl newBuilderFromBase() {
    return base.newBuilder().encodedPath(logical.encodedPath()).encodedQuery(logical.encodedQuery()).build();
  }

  /** Format a string and parse it again (what DESIGN.md warns against). */
  @Benchmark
  public HttpUrl formatAndParse() {
    return HttpUrl.get(base.scheme() + "://" + base.host() + ":" + base.port() + logical.encodedPath() + "?"
        + logical.encodedQuery());
  }

  /** Resolve the logical path against the base. */
  @Benchmark
  public HttpUrl resolveAgainstBase() {
    return base.resolve(logical.encodedPath() + "?" + logical.encodedQuery());
  }

  /** The request copy that goes with any rewrite. */
  @Benchmark
  public Request requestCopy() {
    return request.newBuilder().url(base).build();
  }
}
