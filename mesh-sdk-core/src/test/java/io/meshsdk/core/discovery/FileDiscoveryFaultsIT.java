package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for reported defects of file discovery and of a closed mesh, with real calls to a
 * {@link LoopbackBackend}. The clients resolve no names (a {@code Dns} that records the lookup and fails at
 * once): a call that leaves the mesh for plain DNS shows up as an {@link UnknownHostException} and a recorded
 * lookup, whatever the machine's resolver does.
 *
 * <ul>
 *   <li>{@link #emptiedFileKeepsServingTheLastKnownGoodEndpoints}: defect 1a, a file truncated to 0 bytes (a
 *       non-atomic save) deletes every service: calls fail with NoEndpointAvailableException.
 *   <li>{@link #closedMeshFailsExecutedCallsWithAMeshError}: defect 3, after {@code mesh.close()} a declared or
 *       discovered service fails open to plain DNS on {@code execute()}.
 *   <li>{@link #closedMeshFailsEnqueuedCallsWithAMeshError}: defect 3, the same for {@code enqueue()}.
 *   <li>{@link #discoveryFileAppearingAfterStartBecomesRoutable}: defect 3, the services of a discovery file that
 *       did not exist at start never become routable when it appears.
 *   <li>{@link #byteOrderMarkAtFileStartIsStripped}: defect 5, a UTF-8 BOM makes the first service
 *       {@code \uFEFFinventory}, which {@code http://inventory/} never reaches.
 *   <li>{@link #upperCaseServiceNameInTheFileRoutesTheLowerCaseHost}: defect 5, {@code Inventory} in the file is
 *       accepted but {@code http://inventory/} never reaches it.
 * </ul>
 */
class FileDiscoveryFaultsIT {

  @TempDir Path dir;

  private LoopbackBackend backend;
  private OkHttpClient base;
  private final List<String> dnsLookups = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-a");
    base = new OkHttpClient.Builder()
        .dns(hostname -> {
          dnsLookups.add(hostname);
          throw new UnknownHostException("this test resolves no names: " + hostname);
        })
        .build();
  }

  @AfterEach
  void tearDown() {
    base.dispatcher().executorService().shutdown();
    base.connectionPool().evictAll();
    backend.close();
  }

  /** Writes {@code content} to {@code name} in one atomic step. */
  private Path replace(String name, String content) throws IOException {
    Path target = dir.resolve(name);
    Path tmp = Files.createTempFile(dir, "tmp-", ".txt");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private String line(String service) {
    return service + " " + backend.host() + ":" + backend.port() + "\n";
  }

  /** {@code "<status> <x-backend>"} of a GET of {@code url}, or the exception it failed with. */
  private static String call(OkHttpClient client, String url) {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code() + " " + r.header("x-backend");
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  private static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  // ---- defect 1a: a non-atomic save empties the file for a moment ---------------------------------------------

  @Test
  void emptiedFileKeepsServingTheLastKnownGoodEndpoints() throws IOException {
    Path f = replace("endpoints.txt", line("inventory"));
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      OkHttpClient http = mesh.newOkHttpClient(base);
      assertThat(call(http, "http://inventory/")).isEqualTo("200 inventory-a");

      Files.write(f, new byte[0]); // an editor's save: truncate to 0 bytes, then write (the write comes later)
      d.refresh();

      assertThat(call(http, "http://inventory/"))
          .as("a call to inventory while the discovery file is momentarily empty")
          .isEqualTo("200 inventory-a");
    }
  }

  // ---- defect 3: a closed mesh fails open; a file appearing late is ignored -----------------------------------

  /** A mesh where {@code inventory} is declared in the config and {@code pricing} is only known to the file. */
  private Mesh meshWithDeclaredAndDiscoveredService() throws IOException {
    Path f = replace("endpoints.txt", line("inventory") + line("pricing"));
    return Mesh.builder()
        .discovery(FileServiceDiscovery.manual(f))
        .config(MeshConfig.builder().service("inventory").build())
        .build();
  }

  private void assertClosedMeshFailure(String service, Object outcome) {
    assertThat(outcome)
        .as("outcome of a call to http://%s/ after mesh.close()", service)
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(UnknownHostException.class);
    assertThat(((IOException) outcome).getMessage()).containsIgnoringCase("mesh").containsIgnoringCase("closed");
    assertThat(dnsLookups).as("DNS lookups after mesh.close()").doesNotContain(service);
  }

  @ParameterizedTest
  @ValueSource(strings = {"inventory", "pricing"}) // declared in the config / known to discovery only
  void closedMeshFailsExecutedCallsWithAMeshError(String service) throws IOException {
    Mesh mesh = meshWithDeclaredAndDiscoveredService();
    OkHttpClient http = mesh.newOkHttpClient(base);
    assertThat(call(http, "http://" + service + "/")).isEqualTo("200 inventory-a");

    mesh.close();

    Object outcome;
    try (Response r = http.newCall(get("http://" + service + "/")).execute()) {
      outcome = "HTTP " + r.code();
    } catch (IOException e) {
      outcome = e;
    }
    assertClosedMeshFailure(service, outcome);
  }

  @ParameterizedTest
  @ValueSource(strings = {"inventory", "pricing"}) // declared in the config / known to discovery only
  void closedMeshFailsEnqueuedCallsWithAMeshError(String service) throws Exception {
    Mesh mesh = meshWithDeclaredAndDiscoveredService();
    OkHttpClient http = mesh.newOkHttpClient(base);
    assertThat(call(http, "http://" + service + "/")).isEqualTo("200 inventory-a");

    mesh.close();

    CompletableFuture<Object> outcome = new CompletableFuture<>();
    http.newCall(get("http://" + service + "/")).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        outcome.complete(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        outcome.complete("HTTP " + response.code());
      }
    });
    assertClosedMeshFailure(service, outcome.get(10, TimeUnit.SECONDS));
  }

  @Test
  void discoveryFileAppearingAfterStartBecomesRoutable() throws IOException {
    Path f = dir.resolve("late-endpoints.txt"); // does not exist yet
    try (Mesh mesh = Mesh.builder().discovery(FileServiceDiscovery.watching(f, Duration.ofMillis(20))).build()) {
      OkHttpClient http = mesh.newOkHttpClient(base);

      replace("late-endpoints.txt", line("inventory"));

      await("a call to inventory once the discovery file exists")
          .atMost(Duration.ofSeconds(10))
          .until(() -> call(http, "http://inventory/"), equalTo("200 inventory-a"));
    }
  }

  // ---- defect 5: names that can never match -------------------------------------------------------------------

  @Test
  void byteOrderMarkAtFileStartIsStripped() throws IOException {
    Path f = replace("bom-endpoints.txt", "\uFEFF" + line("inventory") + "pricing 127.0.0.1:9\n");
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      assertThat(call(mesh.newOkHttpClient(base), "http://inventory/"))
          .as("a call to inventory, the first service of a file saved with a UTF-8 BOM")
          .isEqualTo("200 inventory-a");
      assertThat(mesh.endpoints().keySet()).containsExactlyInAnyOrder("inventory", "pricing");
    }
  }

  @Test
  void upperCaseServiceNameInTheFileRoutesTheLowerCaseHost() throws IOException {
    Path f = replace("case-endpoints.txt", line("Inventory"));
    try (FileServiceDiscovery d = FileServiceDiscovery.manual(f);
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      assertThat(call(mesh.newOkHttpClient(base), "http://inventory/"))
          .as("a call to http://inventory/ when the file names the service 'Inventory'")
          .isEqualTo("200 inventory-a");
      assertThat(mesh.endpoints("inventory").states())
          .extracting(s -> s.endpoint().service())
          .containsExactly("inventory");
    }
  }
}
