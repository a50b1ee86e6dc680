package io.meshsdk.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class CompositeMeshObserverTest {

  private static final CallInfo CALL =
      new CallInfo("inventory", "GET", HttpUrl.get("http://inventory/x"), Route.DIRECT, "round-robin",
          io.meshsdk.core.observe.RequestHeaders.NONE);
  private static final CallResult END = new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT);

  private static MeshObserver recording(List<String> log, String name) {
    CallObserver c = new CallObserver() {
      @Override
      public void onCallEnd(CallResult result) {
        log.add(name);
      }
    };
    return call -> c;
  }

  @Test
  void oneRecordingObserverIsReturnedAsIsAndNoopsAreSkipped() {
    List<String> log = new ArrayList<>();
    MeshObserver a = recording(log, "a");
    MeshObserver skipping = call -> CallObserver.NOOP;
    MeshObserver composite = MeshObserver.composite(List.of(skipping, a, skipping));
    assertThat(composite.onCallStart(CALL)).isSameAs(a.onCallStart(CALL));
    assertThat(MeshObserver.composite(List.of(skipping, call -> CallObserver.NOOP)).onCallStart(CALL))
        .isSameAs(CallObserver.NOOP);
  }

  @Test
  void severalRecordingObserversAllSeeTheCallInOrder() {
    List<String> log = new ArrayList<>();
    MeshObserver composite = MeshObserver.composite(
        List.of(recording(log, "a"), call -> CallObserver.NOOP, recording(log, "b"), recording(log, "c")));
    composite.onCallStart(CALL).onCallEnd(END);
    assertThat(log).containsExactly("a", "b", "c");
  }

  @Test
  void theFanoutObservesAttemptsWhenAnyOfItsObserversDoes() {
    CallObserver callsOnly = new CallObserver() {
      @Override
      public boolean observesAttempts() {
        return false;
      }

      @Override
      public void onCallEnd(CallResult result) {}
    };
    CallObserver attempts = new CallObserver() {};
    assertThat(MeshObserver.composite(List.of(call -> callsOnly, call -> callsOnly)).onCallStart(CALL)
        .observesAttempts()).isFalse();
    assertThat(MeshObserver.composite(List.of(call -> callsOnly, call -> attempts)).onCallStart(CALL)
        .observesAttempts()).isTrue();
    assertThat(CallObserver.NOOP.observesAttempts()).isFalse();
  }
}
