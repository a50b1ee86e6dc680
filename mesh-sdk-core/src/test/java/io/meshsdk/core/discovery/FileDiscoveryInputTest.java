package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for reported defects of {@link FileServiceDiscovery}, at unit level (no calls to backends; what
 * the mesh serves is read from {@code mesh.endpoints(service)}).
 *
 * <ul>
 *   <li>{@link #fileCutAtALineBoundaryKeepsTheDroppedEndpoint}: defect 1b, a file cut at a line boundary
 *       silently drops the endpoints of the lost lines.
 *   <li>{@link #fileCutAtALineBoundaryKeepsTheDroppedLastService}: defect 1b, a file cut at a line boundary
 *       silently deletes a service whose lines were lost.
 *   <li>{@link #unusableHostLineDoesNotStopThePoller}: defect 2a, one line with an unusable host kills the
 *       file poller; later good versions of the file are never applied.
 *   <li>{@link #unusableHostLineAtStartupIsReportedWithFileAndLine}: defect 2b, at build the same line fails
 *       with a bare IllegalArgumentException naming neither the file nor the line.
 *   <li>{@link #hundredThousandEndpointsOfOneServiceAreAllServed}: defect 4, correctness of a 100,000-line file
 *       for one service (the parse used to be O(n^2) in endpoints per service: 76 s; the time is not asserted).
 *   <li>{@link #aFileThatComesBackIncompleteAfterGoingMissingRemovesNothing}: an incomplete file read after the
 *       file went missing used to be applied as a complete one, deleting the services it left out.
 *   <li>{@link #unmatchableServiceNameIsRejectedWithFileAndLine}: defect 5, non-ASCII names and names with
 *       control characters are accepted silently although no URL can ever reach them.
 * </ul>
 */
class FileDiscoveryInputTest {

  @TempDir Path dir;

  /** Writes {@code content} to {@code name} in one atomic step (the poller never sees a half-written file). */
  private Path replace(String name, String content) throws IOException {
    Path target = dir.resolve(name);
    Path tmp = Files.createTempFile(dir, "tmp-", ".txt");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static List<String> ids(Mesh mesh, String service) {
    EndpointSet set = mesh.endpoints(service);
    return set.states().stream().map(EndpointState::endpoint).map(Endpoint::id).toList();
  }

  /** The message of {@code t} and of each of its causes, one per line. */
  private static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }

  // ---- defect 1b: a file cut at a line boundary ----------------------------------------------------------------

  @Test
  void fileCutAtALineBoundaryKeepsTheDroppedEndpoint() throws IOException {
    Path f = replace("endpoints.txt",
        "inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\ninventory 127.0.0.1:8003\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      assertThat(ids(mesh, "inventory")).containsExactly("127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003");

      // the same file cut after line 2 (no explicit end marker): not a statement that 8003 is gone
      replace("endpoints.txt", "inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
      d.refresh();

      assertThat(ids(mesh, "inventory"))
          .as("endpoints of 'inventory' after the discovery file lost its last line")
          .contains("127.0.0.1:8003");
    }
  }

  @Test
  void fileCutAtALineBoundaryKeepsTheDroppedLastService() throws IOException {
    Path f = replace("endpoints.txt", "inventory 127.0.0.1:8001\npricing 127.0.0.1:9001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      assertThat(ids(mesh, "pricing")).containsExactly("127.0.0.1:9001");

      replace("endpoints.txt", "inventory 127.0.0.1:8001\n"); // cut after line 1, no explicit end marker
      d.refresh();

      assertThat(ids(mesh, "pricing"))
          .as("endpoints of 'pricing' after the discovery file lost its last line")
          .containsExactly("127.0.0.1:9001");
    }
  }

  @Test
  void aFileThatComesBackIncompleteAfterGoingMissingRemovesNothing() throws IOException {
    Path f = replace("endpoints.txt", "inventory 127.0.0.1:8001\npricing 127.0.0.1:9001\nend\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      Files.delete(f);
      d.refresh(); // an outage: last-known-good
      assertThat(ids(mesh, "pricing")).containsExactly("127.0.0.1:9001");

      replace("endpoints.txt", "inventory 127.0.0.1:8001\n"); // back, but half-written: no end line
      d.refresh();
      d.refresh();
      assertThat(ids(mesh, "pricing")).as("'pricing' after an incomplete file followed an outage")
          .containsExactly("127.0.0.1:9001");
      assertThat(mesh.isMeshHost("pricing")).isTrue();

      replace("endpoints.txt", "inventory 127.0.0.1:8001\nend\n"); // complete: now the removal is meant
      d.refresh();
      await().atMost(Duration.ofSeconds(10)).until(() -> !mesh.isMeshHost("pricing"));
      assertThat(ids(mesh, "inventory")).containsExactly("127.0.0.1:8001");
    }
  }

  // ---- defect 2: one unusable host line -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"a@b:8080", "evil%host:8080", "[fe80::1%lo]:8080", "http://x:8080"})
  void unusableHostLineDoesNotStopThePoller(String badAddress) throws Exception {
    Path f = replace("endpoints.txt", "inventory 127.0.0.1:8001\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.watching(f, Duration.ofMillis(10))) {
      // A probe watcher registered before the mesh's own, so that it is told first: it shows when the poller
      // has read the bad version (before the fix the poller handed it to the watchers, and the mesh threw).
      CountDownLatch badVersionRead = new CountDownLatch(1);
      d.watch("inventory", new DiscoveryListener() {
        @Override
        public void onEndpoints(List<Endpoint> endpoints) {
          if (endpoints.size() == 2) {
            badVersionRead.countDown();
          }
        }

        @Override
        public void onServiceDeleted() {}

        @Override
        public void onError(Throwable error) {}
      });
      try (Mesh mesh = Mesh.builder().discovery(d).build()) {
        assertThat(ids(mesh, "inventory")).containsExactly("127.0.0.1:8001");

        replace("endpoints.txt", "inventory 127.0.0.1:8001\ninventory " + badAddress + "\n");
        // Let the poller read the bad version before the good one replaces it. A fixed parser rejects the
        // line before any watcher sees it; then this only waits out its bound, and the test goes on.
        badVersionRead.await(2, TimeUnit.SECONDS);

        replace("endpoints.txt", "inventory 127.0.0.1:8001\ninventory 127.0.0.1:8002\n");
        await("the new endpoint of a good version written after a line with host " + badAddress)
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(ids(mesh, "inventory")).contains("127.0.0.1:8002"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a@b:8080", "evil%host:8080", "[fe80::1%lo]:8080", "http://x:8080"})
  void unusableHostLineAtStartupIsReportedWithFileAndLine(String badAddress) throws IOException {
    Path f = replace("bad-host-endpoints.txt", "inventory 127.0.0.1:8001\ninventory " + badAddress + "\n");

    Throwable thrown = catchThrowable(() -> {
      try (FileServiceDiscovery d = FileServiceDiscovery.manual(f)) {
        Mesh.builder().discovery(d).build().close(); // building is the point
      }
    });

    assertThat(thrown).as("starting on a discovery file with host %s on line 2", badAddress).isNotNull();
    assertThat(messages(thrown))
        .as("the startup error for host %s", badAddress)
        .contains(f.getFileName().toString())
        .contains("line 2");
  }

  // ---- defect 4: a large file -------------------------------------------------------------------------------

  @Test
  void hundredThousandEndpointsOfOneServiceAreAllServed() throws IOException {
    int n = 100_000;
    StringBuilder sb = new StringBuilder(n * 30);
    for (int i = 0; i < n; i++) {
      sb.append("inventory 10.").append(i >> 16).append('.').append((i >> 8) & 255).append('.').append(i & 255)
          .append(":8080\n");
    }
    Path f = replace("large.txt", sb.toString());
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      EndpointSet set = mesh.endpoints("inventory");
      assertThat(set.size()).isEqualTo(n);
      assertThat(set.find("10.0.0.0:8080")).isNotNull();
      assertThat(set.find("10.1.134.159:8080")).isNotNull(); // the last line, i = 99,999
    }
  }

  // ---- defect 5: names that can never match -------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"invent\u00e1rio", "inv\u0001entory", "inv\u007fentory"})
  void unmatchableServiceNameIsRejectedWithFileAndLine(String name) throws IOException {
    Path f = replace("names-endpoints.txt", "pricing 127.0.0.1:9001\n" + name + " 127.0.0.1:8001\n");

    Throwable thrown = catchThrowable(() -> {
      try (FileServiceDiscovery d = FileServiceDiscovery.manual(f)) {
        Mesh.builder().discovery(d).build().close(); // building is the point
      }
    });

    assertThat(thrown).as("starting on a discovery file with service name '%s' on line 2", name).isNotNull();
    assertThat(messages(thrown))
        .as("the startup error for service name '%s'", name)
        .contains(f.getFileName().toString())
        .contains("line 2");
  }
}
