package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failsafe files: exact round trip, atomic replacement, damaged files refused, cold start from them. */
class FailsafeStoreTest {

  @TempDir Path dir;

  private static Endpoint odd(int i) {
    return Endpoint.builder("inventory", "10.0." + (i / 250) + "." + (i % 250 + 1), 8000 + i % 1000)
        .id("id with spaces/%" + i)
        .zone("eu 1=a")
        .weight(1 + i % 7)
        .secure(i % 2 == 0)
        .labels(Map.of("version", "v2 beta=yes", "path", "/a%20b\n", "ünïcode", "ключ", "empty", ""))
        .build();
  }

  @Test
  void roundTripsEveryFieldAndOddLabelsExactly() {
    List<Endpoint> eps = List.of(odd(1), odd(2), Endpoint.of("inventory", "::1", 9090));
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", eps);
      store.flush();
      FailsafeStore.Loaded loaded = store.load("inventory");
      assertThat(loaded).isNotNull();
      assertThat(loaded.endpoints()).containsExactlyElementsOf(eps);
      assertThat(loaded.writtenAt()).isBetween(Instant.now().minusSeconds(60), Instant.now());
    }
  }

  @Test
  void oneHundredThousandEndpointsRoundTrip() {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      eps.add(Endpoint.builder("big", "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 80 + i % 1000)
          .id("e" + i).build());
    }
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("big", eps);
      store.flush();
      assertThat(store.load("big").endpoints()).hasSize(100_000).containsExactlyElementsOf(eps);
    }
  }

  @Test
  void theNewestSaveWinsAndNoTemporaryFileIsLeft() throws IOException {
    try (FailsafeStore store = new FailsafeStore(dir)) {
      for (int i = 1; i <= 500; i++) {
        store.save("inventory", List.of(odd(i)));
      }
      store.flush();
      assertThat(store.load("inventory").endpoints()).containsExactly(odd(500));
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly("inventory.endpoints");
      }
    }
  }

  @Test
  void damagedFilesAreRefusedNotThrown() throws IOException {
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", List.of(odd(1), odd(2)));
      store.flush();
      Path file = store.fileOf("inventory");
      String good = Files.readString(file);
      // cut short at every length: never accepted, never thrown
      for (int cut = 0; cut < good.length(); cut += 7) {
        Files.writeString(file, good.substring(0, cut));
        assertThat(store.load("inventory")).as("cut at %d", cut).isNull();
      }
      Files.writeString(file, good.replace("weight=2", "weight=3")); // edited: checksum mismatch
      assertThat(store.load("inventory")).isNull();
      Files.writeString(file, good.replace("service inventory", "service pricing"));
      assertThat(store.load("inventory")).isNull();
      Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
      assertThat(store.load("inventory")).isNull();
      Files.writeString(file, "mesh-failsafe 1\nservice inventory\nwritten-at x\nend 0 0\n");
      assertThat(store.load("inventory")).isNull();
      Files.writeString(file, good);
      assertThat(store.load("inventory").endpoints()).hasSize(2);
    }
  }

  @Test
  void aBadEscapeOrEndpointInAFileWithAValidChecksumIsRefused() {
    String body = """
        mesh-failsafe 1
        service inventory
        written-at 2026-01-01T00:00:00Z
        endpoint id=a host=%zz port=80 secure=false weight=1 zone=
        """;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> FailsafeStore.parse("inventory", body + "end 1 " + crc.getValue() + "\n"))
        .isInstanceOf(FailsafeStore.Corrupt.class).hasMessageContaining("line 4");
    String badPort = body.replace("host=%zz port=80", "host=h port=99999");
    crc.reset();
    crc.update(badPort.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> FailsafeStore.parse("inventory", badPort + "end 1 " + crc.getValue() + "\n"))
        .isInstanceOf(FailsafeStore.Corrupt.class).hasMessageContaining("port");
  }

  @Test
  void anUnusableDirectoryFailsFastNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> new FailsafeStore(file.resolve("sub")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString());
  }

  @Test
  void fileNamesStayInsideTheDirectory() {
    try (FailsafeStore store = new FailsafeStore(dir)) {
      assertThat(store.fileOf("Inventory").getFileName().toString()).isEqualTo("inventory.endpoints");
      assertThatThrownBy(() -> store.fileOf(".hidden")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.fileOf("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
      assertThat(store.load("../etc/passwd")).isNull();
    }
  }

  @Test
  void temporaryFilesACrashedWriterLeftAreRemovedWhenOldAndKeptWhenFresh() throws IOException {
    Path old = Files.writeString(dir.resolve(".failsafe-dead-1.tmp"), "half");
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Path fresh = Files.writeString(dir.resolve(".failsafe-live-1.tmp"), "being written");
    Path other = Files.writeString(dir.resolve(".keep-me.tmp"), "not ours");
    Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.fromMillis(0));
    try (FailsafeStore store = new FailsafeStore(dir)) {
      assertThat(old).doesNotExist();
      assertThat(fresh).exists();
      assertThat(other).exists();
      assertThat(store.services()).isEmpty();
    }
  }

  // ---- the directory with a store ----------------------------------------------------------------------------

  @Test
  void aColdStartWithDiscoveryFailingServesTheFileAndReportsItsAge() {
    AtomicLong now = new AtomicLong(1_000);
    StaticServiceDiscovery first = StaticServiceDiscovery.create();
    try (ServiceDirectory warm = new ServiceDirectory(first, now::get, new FailsafeStore(dir),
        System::currentTimeMillis)) {
      warm.watch("inventory");
      first.set("inventory", List.of(odd(1), odd(2)));
    } // close flushes the store

    FailingDiscovery down = new FailingDiscovery();
    try (ServiceDirectory cold = new ServiceDirectory(down, now::get, new FailsafeStore(dir),
        System::currentTimeMillis)) {
      ServiceDirectory.Entry e = cold.watch("inventory");
      down.fail("inventory", new IOException("connection refused"));
      assertThat(e.snapshot().size()).isEqualTo(2);
      assertThat(e.failsafeWrittenAt()).isNotNull();
      assertThat(e.isServingLastKnownGood()).isTrue();
      assertThat(e.lastError()).hasMessage("connection refused");
      // the registry answers: its endpoints replace the file's, and the file is rewritten with them
      down.set("inventory", List.of(odd(3)));
      assertThat(e.snapshot().size()).isEqualTo(1);
      assertThat(e.failsafeWrittenAt()).isNull();
      assertThat(e.isServingLastKnownGood()).isFalse();
    }
  }

  @Test
  void aSilentDiscoveryFallsBackToTheFileWhenTheWaitRunsOut() {
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", List.of(odd(1)));
    }
    FailingDiscovery silent = new FailingDiscovery();
    try (ServiceDirectory cold = new ServiceDirectory(silent, () -> 5, new FailsafeStore(dir),
        System::currentTimeMillis)) {
      ServiceDirectory.Entry e = cold.watch("inventory");
      assertThat(e.awaitFirstWord(Duration.ofMillis(1))).isTrue();
      assertThat(e.snapshot().size()).isEqualTo(1);
      assertThat(e.failsafeWrittenAt()).isNotNull();
      // a service without a file still times out
      assertThat(cold.watch("pricing").awaitFirstWord(Duration.ofMillis(1))).isFalse();
    }
  }

  @Test
  void aRegistryThatIsUpAndAnsweringIsNotOverruledByTheFile() {
    try (FailsafeStore store = new FailsafeStore(dir)) {
      store.save("inventory", List.of(odd(1)));
    }
    FailingDiscovery up = new FailingDiscovery();
    up.set("pricing", List.of(Endpoint.of("pricing", "127.0.0.1", 9000))); // connected, has delivered data
    try (ServiceDirectory cold = new ServiceDirectory(up, () -> 5, new FailsafeStore(dir),
        System::currentTimeMillis)) {
      ServiceDirectory.Entry e = cold.watch("inventory"); // it says nothing about inventory: that is its answer
      assertThat(e.awaitFirstWord(Duration.ofMillis(1))).isFalse();
      assertThat(e.snapshot().isEmpty()).isTrue();
      assertThat(e.failsafeWrittenAt()).isNull();
    }
  }

  @Test
  void aCorruptFileAtColdStartIsIgnoredAndTheServiceStaysUnknown() throws IOException {
    Files.writeString(dir.resolve("inventory.endpoints"), "mesh-failsafe 1\nservice inventory\ngarbage");
    FailingDiscovery down = new FailingDiscovery();
    try (ServiceDirectory cold = new ServiceDirectory(down, () -> 5, new FailsafeStore(dir),
        System::currentTimeMillis)) {
      ServiceDirectory.Entry e = cold.watch("inventory");
      down.fail("inventory", new IOException("down"));
      assertThat(e.snapshot().isEmpty()).isTrue();
      assertThat(e.failsafeWrittenAt()).isNull();
      assertThat(e.lastError()).hasMessage("down");
    }
  }

  /** A per-service backend the test drives: errors, silence, then data. */
  static final class FailingDiscovery extends io.meshsdk.core.discovery.AbstractServiceDiscovery {
    FailingDiscovery() {
      super(false);
    }

    @Override
    public String name() {
      return "test-registry";
    }

    void fail(String service, Throwable t) {
      reportError(service, t);
    }

    void set(String service, List<Endpoint> eps) {
      setEndpoints(service, eps);
    }
  }
}
