package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file format, and the file backend's promises: nothing is lost to an empty, truncated or cut file; removals
 * only from a complete file; a bad line names the file and the line and never stops the poller; names that could
 * never match are folded or refused; a file that appears late is read; parsing is linear.
 */
class FileServiceDiscoveryTest {

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("endpoints.txt");
  }

  private Path write(String content) throws IOException {
    Files.writeString(file(), content, StandardCharsets.UTF_8);
    return file();
  }

  /** What a watcher was told last. */
  static final class Last implements DiscoveryListener {
    volatile @Nullable List<Endpoint> endpoints;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final AtomicInteger deletions = new AtomicInteger();

    @Override
    public void onEndpoints(List<Endpoint> e) {
      endpoints = e;
    }

    @Override
    public void onServiceDeleted() {
      deletions.incrementAndGet();
      endpoints = null;
    }

    @Override
    public void onError(Throwable error) {
      errors.add(error);
    }

    Set<Integer> ports() {
      List<Endpoint> e = endpoints;
      return e == null ? Set.of() : e.stream().map(Endpoint::port).collect(Collectors.toSet());
    }
  }

  @Test
  void parsesEveryAttributeAndLabel() {
    FileServiceDiscovery.Parsed parsed = FileServiceDiscovery.parse(Path.of("f"), """
        # comment

        inventory 10.0.0.1:8080 zone=eu-1a weight=3 version=v2
        inventory 10.0.0.2:8080
        pricing [::1]:9090 secure=true id=pricing-a
        end
        # trailing comment
        """);
    Map<String, List<Endpoint>> m = parsed.services();
    assertThat(parsed.complete()).isTrue();
    assertThat(m).containsOnlyKeys("inventory", "pricing");
    Endpoint first = m.get("inventory").get(0);
    assertThat(first.host()).isEqualTo("10.0.0.1");
    assertThat(first.port()).isEqualTo(8080);
    assertThat(first.zone()).isEqualTo("eu-1a");
    assertThat(first.weight()).isEqualTo(3);
    assertThat(first.labels()).containsExactlyEntriesOf(Map.of("version", "v2"));
    assertThat(first.id()).isEqualTo("10.0.0.1:8080");
    Endpoint p = m.get("pricing").get(0);
    assertThat(p.host()).isEqualTo("::1");
    assertThat(p.secure()).isTrue();
    assertThat(p.id()).isEqualTo("pricing-a");
    assertThat(FileServiceDiscovery.parse(Path.of("f"), "inventory 10.0.0.1:8080\n").complete()).isFalse();
  }

  @Test
  void malformedLinesNameTheFileLineAndProblem() {
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("/etc/mesh.txt"), "a 1.2.3.4:80\nb nohost\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("/etc/mesh.txt line 2")
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:99999"))
        .hasMessageContaining("line 1")
        .hasMessageContaining("port: 99999 (expected: 1-65535)");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80 weight=heavy"))
        .hasMessageContaining("a number as weight, not 'heavy'");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80 zone"))
        .hasMessageContaining("key=value, not 'zone'");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80\na h:80"))
        .hasMessageContaining("line 2").hasMessageContaining("'h:80' of a is listed again");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80\nend\nb h:81\n"))
        .hasMessageContaining("line 3").hasMessageContaining("nothing but comments after the 'end' line");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a@b", "evil%host", "[fe80::1%lo]", "http://x"})
  void unusableHostsAreRefusedAtParseTimeNamingFileAndLine(String host) throws IOException {
    String address = host + ":8080";
    write("inventory 127.0.0.1:8001\ninventory " + address + "\n");
    assertThatThrownBy(() -> FileServiceDiscovery.manual(file()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("line 2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a@b", "evil%host", "[fe80::1%lo]", "http://x"})
  void anUnusableHostLineNeverStopsThePoller(String host) throws IOException {
    write("inventory 127.0.0.1:8001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.watching(file(), Duration.ofMillis(20))) {
      Last l = new Last();
      d.watch("inventory", l);
      assertThat(l.ports()).containsExactly(8001);
      write("inventory 127.0.0.1:8001\ninventory " + host + ":8080\nend\n");
      d.refresh(); // the bad version: logged, kept out
      assertThat(l.ports()).containsExactly(8001);
      write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\nend\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> l.ports().equals(Set.of(8001, 8002)));
    }
  }

  @Test
  void malformedFileKeepsThePreviousEndpoints() throws IOException {
    write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last l = new Last();
      d.watch("inventory", l);
      assertThat(l.ports()).containsExactlyInAnyOrder(8001, 8002);
      write("inventory 127.0.0.1:8001\ninventory broken-line\nend\n");
      d.refresh();
      assertThat(l.ports()).containsExactlyInAnyOrder(8001, 8002);
      write("inventory 127.0.0.1:8003\nend\n");
      d.refresh();
      assertThat(l.ports()).containsExactly(8003);
    }
  }

  @Test
  void anEmptiedFileIsNotADeletion() throws IOException {
    write("inventory 127.0.0.1:8001\npricing 127.0.0.1:9001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last inventory = new Last();
      d.watch("inventory", inventory);
      write(""); // an in-place save caught half-way
      d.refresh();
      d.refresh();
      assertThat(inventory.ports()).containsExactly(8001);
      assertThat(inventory.deletions).hasValue(0);
      write("inventory 127.0.0.1:8001\n"); // half-written: no end line yet
      d.refresh();
      d.refresh();
      assertThat(d.services()).containsExactlyInAnyOrder("inventory", "pricing");
    }
  }

  @Test
  void aFileCutAtALineBoundaryKeepsWhatItDropped() throws IOException {
    write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\ninventory 127.0.0.1:8003\npricing 127.0.0.1:9001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last inventory = new Last();
      Last pricing = new Last();
      d.watch("inventory", inventory);
      d.watch("pricing", pricing);
      write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n"); // cut: 8003, pricing and the end line lost
      d.refresh();
      d.refresh();
      assertThat(inventory.ports()).containsExactlyInAnyOrder(8001, 8002, 8003);
      assertThat(pricing.ports()).containsExactly(9001);
      assertThat(pricing.deletions).hasValue(0);
    }
  }

  @Test
  void aCompleteFileRemovesAndDeletes() throws IOException {
    write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\npricing 127.0.0.1:9001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last inventory = new Last();
      Last pricing = new Last();
      d.watch("inventory", inventory);
      d.watch("pricing", pricing);
      write("inventory 127.0.0.1:8002\nend\n");
      d.refresh();
      assertThat(inventory.ports()).containsExactly(8002);
      assertThat(pricing.deletions).hasValue(1);
      write("end\n"); // explicitly: no services at all
      d.refresh();
      assertThat(inventory.deletions).hasValue(1);
      assertThat(d.services()).isEmpty();
    }
  }

  @Test
  void anIncompleteFileAddsOnceItReadsTheSameTwice() throws IOException {
    write("inventory 127.0.0.1:8001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last l = new Last();
      d.watch("inventory", l);
      assertThat(l.ports()).containsExactly(8001); // the first read applies as is: there is nothing to lose
      write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
      d.refresh();
      assertThat(l.ports()).containsExactly(8001); // read once: it may still be being written
      d.refresh();
      assertThat(l.ports()).containsExactlyInAnyOrder(8001, 8002);
      write("inventory 127.0.0.1:8002\n"); // drops 8001 without an end line: kept
      d.refresh();
      d.refresh();
      assertThat(l.ports()).containsExactlyInAnyOrder(8001, 8002);
    }
  }

  @Test
  void missingFileIsAnErrorAndAFileThatAppearsLaterIsRead() throws IOException {
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last l = new Last();
      d.watch("inventory", l);
      assertThat(l.errors).anySatisfy(e -> assertThat(e).hasMessageContaining("does not exist"));
      assertThat(d.health().connected()).isFalse();
      List<String> names = new CopyOnWriteArrayList<>();
      d.watchServices(s -> names.addAll(s));
      write("inventory 127.0.0.1:8001\nend\n");
      d.refresh();
      assertThat(l.ports()).containsExactly(8001);
      assertThat(names).contains("inventory");
      assertThat(d.health().connected()).isTrue();
      Files.delete(file());
      d.refresh();
      assertThat(l.ports()).as("an error keeps what the watcher had").containsExactly(8001);
      assertThat(l.errors).hasSizeGreaterThan(1);
    }
  }

  @Test
  void aByteOrderMarkAndUpperCaseNamesAreNormalized() throws IOException {
    write("\uFEFFInventory 127.0.0.1:8001\nPRICING 127.0.0.1:9001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      assertThat(d.services()).containsExactlyInAnyOrder("inventory", "pricing");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"inventário", "in\u0001ventory", "invent\u007fory", ".inventory", "a..b"})
  void namesThatCanNeverMatchAreRefusedWithFileAndLine(String name) throws IOException {
    write("pricing 127.0.0.1:9001\n" + name + " 127.0.0.1:8001\n");
    assertThatThrownBy(() -> FileServiceDiscovery.manual(file()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("service name");
  }

  @Test
  void aFileThatIsNotUtf8IsAnErrorNotACrash() throws IOException {
    write("inventory 127.0.0.1:8001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(file())) {
      Last l = new Last();
      d.watch("inventory", l);
      Files.write(file(), new byte[] {'p', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
      d.refresh();
      assertThat(l.ports()).containsExactly(8001);
      assertThat(l.errors).anySatisfy(e -> assertThat(e).hasMessageContaining("not UTF-8"));
    }
  }

  @Test
  void parsesAHundredThousandEndpointsOfOneService() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      sb.append("inventory 10.").append(i / 65536).append('.').append((i / 256) % 256).append('.').append(i % 256)
          .append(":8080\n");
    }
    sb.append("end\n");
    FileServiceDiscovery.Parsed parsed = FileServiceDiscovery.parse(Path.of("f"), sb.toString());
    assertThat(parsed.services().get("inventory")).hasSize(100_000);
  }

  @Test
  void pollerPicksUpChangesByItself() throws IOException {
    write("inventory 127.0.0.1:8001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.watching(file(), Duration.ofMillis(20))) {
      Last l = new Last();
      d.watch("inventory", l);
      write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\nend\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> l.ports().size() == 2);
    }
  }

  @Test
  void rejectsNonPositivePollInterval() {
    assertThatThrownBy(() -> FileServiceDiscovery.watching(dir.resolve("x"), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessage("discovery.file.poll-interval: PT0S (expected: a duration of at least 1ms)");
  }
}
