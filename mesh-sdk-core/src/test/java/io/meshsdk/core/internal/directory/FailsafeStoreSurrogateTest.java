package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text that cannot be stored as it is (a lone surrogate) never comes back as another endpoint. */
class FailsafeStoreSurrogateTest {

  @TempDir Path dir;

  @Test
  void endpointsWithLoneSurrogatesAreNotWrittenAndTheOthersRoundTrip() {
    Endpoint pair = Endpoint.builder("inventory", "10.0.0.3", 8080).id("a\uD83D\uDE00").build(); // an emoji: a pair
    List<Endpoint> saved = List.of(
        Endpoint.builder("inventory", "10.0.0.1", 8080).id("a\uD800").build(),
        Endpoint.builder("inventory", "10.0.0.2", 8080).id("a\uDC00").build(),
        pair);
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", saved);
      store.flush();
      FailsafeStore.Loaded loaded = store.load("inventory");
      assertThat(loaded).isNotNull();
      assertThat(loaded.endpoints()).containsExactly(pair);
    }
  }

  @Test
  void wellFormedMeansEverySurrogateInAPair() {
    assertThat(FailsafeStore.wellFormed("plain")).isTrue();
    assertThat(FailsafeStore.wellFormed("\uD83D\uDE00")).isTrue();
    assertThat(FailsafeStore.wellFormed("\uD800")).isFalse();
    assertThat(FailsafeStore.wellFormed("\uDC00x")).isFalse();
    assertThat(FailsafeStore.wellFormed("x\uD800")).isFalse();
    assertThat(FailsafeStore.wellFormed("\uDE00\uD83D")).isFalse();
  }
}
