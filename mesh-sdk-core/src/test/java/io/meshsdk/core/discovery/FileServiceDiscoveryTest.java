package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileServiceDiscoveryTest {

  @TempDir Path dir;

  private Path write(String content) throws IOException {
    Path f = dir.resolve("endpoints.txt");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void parsesEveryAttributeAndLabel() throws Exception {
    Map<String, List<Endpoint>> m = FileServiceDiscovery.parse(Path.of("f"), """
        # comment

        inventory 10.0.0.1:8080 zone=eu-1a weight=3 version=v2
        inventory 10.0.0.2:8080
        pricing [::1]:9090 secure=true id=pricing-a
        """);
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
  }

  @Test
  void malformedLinesNameTheFileLineAndProblem() {
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("/etc/mesh.txt"), "a 1.2.3.4:80\nb nohost\n"))
        .hasMessageContaining("/etc/mesh.txt line 2")
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:99999"))
        .hasMessageContaining("line 1")
        .hasMessageContaining("port: 99999 (expected: 1-65535)");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80 weight=heavy"))
        .hasMessageContaining("weight 'heavy' is not a number");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80 zone"))
        .hasMessageContaining("expected key=value");
    assertThatThrownBy(() -> FileServiceDiscovery.parse(Path.of("f"), "a h:80\na h:80"))
        .hasMessageContaining("duplicate endpoint id 'h:80'");
  }

  @Test
  void malformedFileKeepsThePreviousEndpoints() throws IOException {
    Path f = write("inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        ServiceDirectory dir = new ServiceDirectory(d, Ticker.SYSTEM)) {
      ServiceDirectory.Entry e = dir.watch("inventory");
      assertThat(e.snapshot().size()).isEqualTo(2);
      Files.writeString(f, "inventory 127.0.0.1:8001\ninventory broken-line\n");
      d.refresh();
      assertThat(e.snapshot().size()).isEqualTo(2);
      Files.writeString(f, "inventory 127.0.0.1:8003\n");
      d.refresh();
      assertThat(e.snapshot().states()).extracting(s -> s.endpoint().port()).containsExactly(8003);
    }
  }

  @Test
  void missingFileIsAnErrorAndTheDirectoryKeepsLastKnownGood() throws IOException {
    Path f = write("inventory 127.0.0.1:8001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        ServiceDirectory dir = new ServiceDirectory(d, Ticker.SYSTEM)) {
      ServiceDirectory.Entry e = dir.watch("inventory");
      Files.delete(f);
      d.refresh();
      assertThat(e.snapshot().size()).isEqualTo(1);
      assertThat(e.lastError()).hasMessageContaining("does not exist");
      assertThat(e.isServingLastKnownGood()).isTrue();
      Files.writeString(f, "inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
      d.refresh();
      assertThat(e.snapshot().size()).isEqualTo(2);
      assertThat(e.lastError()).isNull();
      assertThat(e.isServingLastKnownGood()).isFalse();
    }
  }

  @Test
  void serviceRemovedFromAGoodFileIsDeleted() throws IOException {
    Path f = write("inventory 127.0.0.1:8001\npricing 127.0.0.1:9001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        ServiceDirectory dir = new ServiceDirectory(d, Ticker.SYSTEM)) {
      ServiceDirectory.Entry e = dir.watch("pricing");
      assertThat(d.knownServices()).containsExactlyInAnyOrder("inventory", "pricing");
      Files.writeString(f, "inventory 127.0.0.1:8001\n");
      d.refresh();
      assertThat(e.snapshot().isEmpty()).isTrue();
    }
  }

  @Test
  void pollerPicksUpChangesByItself() throws IOException {
    Path f = write("inventory 127.0.0.1:8001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.watching(f, Duration.ofMillis(20));
        ServiceDirectory dir = new ServiceDirectory(d, Ticker.SYSTEM)) {
      ServiceDirectory.Entry e = dir.watch("inventory");
      Files.writeString(f, "inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> e.snapshot().size() == 2);
      EndpointSet s = e.snapshot();
      assertThat(s.version()).isGreaterThan(1);
    }
  }

  @Test
  void rejectsNonPositivePollInterval() {
    assertThatThrownBy(() -> FileServiceDiscovery.watching(dir.resolve("x"), Duration.ZERO))
        .hasMessage("pollInterval: PT0S (expected: > 0)");
  }
}
