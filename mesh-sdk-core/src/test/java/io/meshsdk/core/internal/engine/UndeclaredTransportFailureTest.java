package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.snapshot.EndpointSnapshot;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A transport that fails with an exception it does not declare (a Spring request factory refusing a header value
 * throws {@link IllegalArgumentException}): the failure reaches the caller as it is, is not retried, and the endpoint
 * is not left counted as in flight (which would skew least-request picks for good).
 */
class UndeclaredTransportFailureTest {

  /** A GET whose every send throws {@code failure}. */
  private static final class Throwing implements TransportCall<String> {
    final RuntimeException failure;
    final AtomicInteger sends = new AtomicInteger();

    Throwing(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public HttpUrl url() {
      return HttpUrl.get("http://inventory/items/1");
    }

    @Override
    public @Nullable String header(String name) {
      return null;
    }

    @Override
    public boolean hasBody() {
      return false;
    }

    @Override
    public boolean prepareReplay(long maxBytes) {
      return true;
    }

    @Override
    public boolean isCanceled() {
      return false;
    }

    @Override
    public void cancel() {}

    @Override
    public String passThrough() {
      throw new AssertionError("a mesh host is never passed through");
    }

    @Override
    public String send(AttemptRequest attempt) {
      sends.incrementAndGet();
      throw failure;
    }

    @Override
    public int status(String response) {
      return 200;
    }

    @Override
    public @Nullable String responseHeader(String response, String name) {
      return null;
    }

    @Override
    public void discard(String response) {}

    @Override
    public String track(String response, BodyCompletion completion) {
      return response;
    }
  }

  @Test
  void theFailureReachesTheCallerAndTheEndpointIsNotLeftInFlight() throws Exception {
    try (Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", 9)))
        .build()) {
      for (int i = 0; i < 3; i++) {
        Throwing call = new Throwing(new IllegalArgumentException("invalid header value"));
        assertThatThrownBy(() -> mesh.execute(call)).isSameAs(call.failure);
        assertThat(call.sends).as("not retried").hasValue(1);
      }
      ServiceSnapshot service = mesh.snapshot().service("inventory");
      assertThat(service).isNotNull();
      assertThat(service.endpoints()).extracting(EndpointSnapshot::inFlight).containsExactly(0);
    }
  }
}
