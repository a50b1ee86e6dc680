package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.OutboundHeaders;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/**
 * An observer that says it does not observe attempts ({@link CallObserver#observesAttempts()} false, as the metrics
 * do) gets no attempt callbacks, and the engine builds no attempt objects for it; one that does gets every attempt,
 * retries included. Over an in-JVM transport answering 503 then 200.
 */
class ObservesAttemptsTest {

  private static List<String> run(boolean observesAttempts) throws Exception {
    List<String> seen = new ArrayList<>();
    CallObserver observer = new CallObserver() {
      @Override
      public boolean observesAttempts() {
        return observesAttempts;
      }

      @Override
      public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
        seen.add("start " + attempt.attempt());
      }

      @Override
      public void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {
        seen.add("end " + attempt.attempt() + " " + result.status());
      }

      @Override
      public void onCallEnd(CallResult result) {
        seen.add("call " + result.status() + " after " + result.attempts());
      }
    };
    int[] calls = {0};
    OkHttpClient canned = new OkHttpClient.Builder()
        .addInterceptor(chain -> new Response.Builder()
            .request(chain.request())
            .protocol(Protocol.HTTP_1_1)
            .code(calls[0]++ == 0 ? 503 : 200)
            .message("canned")
            .body(ResponseBody.EMPTY)
            .build())
        .build();
    try (Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "10.0.0.1", 8080),
            Endpoint.of("inventory", "10.0.0.2", 8080)))
        .observer((CallInfo call) -> observer)
        .build()) {
      try (Response r = mesh.newOkHttpClient(canned)
          .newCall(new Request.Builder().url("http://inventory/items/1").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    return seen;
  }

  @Test
  void anObserverOfCallsOnlyGetsNoAttemptCallbacks() throws Exception {
    assertThat(run(false)).containsExactly("call 200 after 2");
  }

  @Test
  void anObserverOfAttemptsGetsEveryAttempt() throws Exception {
    assertThat(run(true)).containsExactly("start 0", "end 0 503", "start 1", "end 1 200", "call 200 after 2");
  }
}
