package io.meshsdk.core.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A draining instance's 503 to a request whose body is gone (one-shot): the request did not run, but it cannot be
 * sent again, so the caller gets the 503 at once: no hang, no resend of an empty or partial body.
 */
class DrainingOneShotBodyIT {

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(0, c);
    return c;
  }

  /** A body that can be written once; a second write fails the test's count. */
  private static final class OneShot extends RequestBody {
    private final long length;
    final AtomicInteger writes = new AtomicInteger();

    OneShot(long length) {
      this.length = length;
    }

    @Override
    public @Nullable MediaType contentType() {
      return MediaType.get("text/plain");
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      writes.incrementAndGet();
      sink.writeUtf8("x".repeat(5));
    }
  }

  @Test
  void aDrainingRefusalOfAOneShotPostComesBackAsThe503AndIsNotResent() throws Exception {
    LoopbackBackend leaving = closing(LoopbackBackend.start("leaving"));
    Mesh provider = closing(Mesh.builder().build());
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    AtomicInteger seen = new AtomicInteger();
    leaving.gate((method, header) -> {
      seen.incrementAndGet();
      InboundGuard.Admission a = guard.admit(io.meshsdk.core.inbound.InboundRequest.builder().method(method).path("/")
          .remoteAddress("127.0.0.1").callerHeader(header.apply(guard.callerHeader())).deadlineHeader(null)
          .build());
      if (a.admitted()) {
        return LoopbackBackend.Decision.serve(a::close);
      }
      a.close();
      return LoopbackBackend.Decision.refuse(a.status(),
          Map.of(MeshHeaders.DRAINING, "true", "Connection", "close", "Retry-After", "0"));
    });
    guard.drain();
    Mesh caller = closing(Mesh.builder().discovery(StaticServiceDiscovery.of(
        Endpoint.of("orders", leaving.host(), leaving.port()))).build());
    OkHttpClient client = caller.newOkHttpClient().newBuilder().callTimeout(Duration.ofSeconds(20)).build();
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      for (long length : new long[] {5, -1}) {
        seen.set(0);
        OneShot body = new OneShot(length);
        Request request = new Request.Builder().url("http://orders/o").method(method, body).build();
        try (Response r = client.newCall(request).execute()) {
          assertThat(r.code()).as("%s length %d", method, length).isEqualTo(503);
          assertThat(r.header(MeshHeaders.DRAINING)).isEqualTo("true");
        }
        assertThat(body.writes).as("%s length %d: the body was written once", method, length).hasValue(1);
        if (length < 0) { // unknown length is never buffered: one attempt only
          assertThat(seen).as("%s length %d: attempts", method, length).hasValue(1);
        }
      }
    }
    assertThat(leaving.requests()).as("the draining instance ran nothing").isZero();
  }
}
