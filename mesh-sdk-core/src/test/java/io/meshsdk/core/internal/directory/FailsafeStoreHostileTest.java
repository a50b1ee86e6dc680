package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failsafe files in a hostile environment: shared directories, deleted directories, flipped bytes. */
class FailsafeStoreHostileTest {

  @TempDir Path dir;

  private static List<Endpoint> endpoints(String prefix, int n) {
    List<Endpoint> eps = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      eps.add(Endpoint.builder("inventory", "10.1." + (i >> 8) + "." + (i & 255), 8080).id(prefix + i).build());
    }
    return eps;
  }

  @Test
  void twoMeshesSharingADirectoryNeverLeaveADamagedFile() throws Exception {
    List<Endpoint> small = endpoints("a", 3);
    List<Endpoint> large = endpoints("b", 40);
    AtomicInteger damaged = new AtomicInteger();
    try (FailsafeStore one = new FailsafeStore(dir); FailsafeStore two = new FailsafeStore(dir)) {
      for (int round = 0; round < 300; round++) {
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
          one.save("inventory", small);
          one.flush();
        });
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
          two.save("inventory", large);
          two.flush();
        });
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        FailsafeStore.Loaded loaded = one.load("inventory");
        if (loaded == null || !(loaded.endpoints().equals(small) || loaded.endpoints().equals(large))) {
          damaged.incrementAndGet();
        }
      }
      assertThat(damaged).as("rounds that left a damaged or missing file").hasValue(0);
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly("inventory.endpoints");
      }
    }
  }

  @Test
  void aDirectoryDeletedWhileRunningIsCreatedAgainOnTheNextWrite() throws IOException {
    Path sub = dir.resolve("mesh");
    try (FailsafeStore store = new FailsafeStore(sub)) {
      store.save("inventory", endpoints("a", 2));
      store.flush();
      Files.delete(store.fileOf("inventory"));
      Files.delete(sub); // a tmp cleaner, an operator's rm -rf
      store.save("inventory", endpoints("b", 2));
      store.flush();
      assertThat(store.load("inventory")).isNotNull();
      assertThat(store.load("inventory").endpoints()).isEqualTo(endpoints("b", 2));
    }
  }

  @Test
  void oneFlippedByteAnywhereInAHundredThousandEndpointFileNeverYieldsOtherEndpoints() throws IOException {
    List<Endpoint> eps = endpoints("e", 100_000).stream()
        .map(e -> Endpoint.builder("inventory", e.host(), 80 + e.id().length()).id(e.id()).zone("z")
            .label("k", "v").build())
        .toList();
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", eps);
      store.flush();
      Path file = store.fileOf("inventory");
      byte[] good = Files.readAllBytes(file);
      Random random = new Random(42);
      List<Integer> positions = new ArrayList<>(List.of(0, 1, good.length - 1, good.length - 2, good.length - 12));
      for (int i = 0; i < 25; i++) {
        positions.add(random.nextInt(good.length));
      }
      for (int pos : positions) {
        byte[] bad = good.clone();
        bad[pos] ^= (byte) (1 << random.nextInt(8));
        Files.write(file, bad);
        FailsafeStore.Loaded loaded = store.load("inventory");
        if (loaded != null) { // only a flip the checksum does not cover (trailing white space) may be accepted
          assertThat(loaded.endpoints()).as("flip at %d of %d", pos, good.length).isEqualTo(eps);
        }
      }
    }
  }

  @Test
  void aServiceNameThatDiffersOnlyInCaseIsTheSameServiceAndItsFileReadsBack() {
    List<Endpoint> eps = endpoints("a", 2);
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("Inventory", eps);
      store.flush();
      assertThat(store.services()).containsExactly("inventory");
      assertThat(store.load("inventory")).as("read under its canonical name").isNotNull();
      assertThat(store.load("INVENTORY")).isNotNull();
      assertThat(store.load("inventory").endpoints()).isEqualTo(eps);
    }
  }

  @Test
  void labelsWithLineBreaksSeparatorsEscapesAndPlusSignsRoundTripExactly() {
    Endpoint odd = Endpoint.builder("inventory", "10.0.0.1", 8080)
        .id("a b+c%20=d\n")
        .zone("+ %")
        .labels(Map.of("a=b c", "+%2B\r\n\t", "label.x", "y=z", "\u00e9\u4e2d\ud83d\ude00", " ", "k", "end 1 2"))
        .build();
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", List.of(odd));
      store.flush();
      assertThat(store.load("inventory").endpoints()).containsExactly(odd);
    }
  }

  @Test
  void aServiceNameOfTheLongestAllowedLengthHasAFileThatReadsBackAndIsListed() {
    String longest = "a".repeat(120) + "." + "b".repeat(120) + "-" + "c".repeat(11); // 253, ServiceNames.MAX_LENGTH
    assertThat(longest).hasSize(io.meshsdk.core.common.ServiceNames.MAX_LENGTH);
    List<Endpoint> eps = List.of(Endpoint.of(longest, "10.0.0.1", 8080));
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save(longest, eps);
      store.save("inventory", endpoints("a", 1));
      store.flush();
      assertThat(store.load(longest)).isNotNull();
      assertThat(store.load(longest).endpoints()).isEqualTo(eps);
      assertThat(store.services()).containsExactlyInAnyOrder(longest, "inventory");
    }
  }
}
