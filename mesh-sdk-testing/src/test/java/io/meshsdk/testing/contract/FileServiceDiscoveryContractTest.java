package io.meshsdk.testing.contract;

import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;

/**
 * The discovery contract, run by the file backend on a real file: every change is written as a complete file (with
 * the {@code end} line) in one atomic move, then each backend re-reads it; the source fails by losing its file; an
 * "empty push" is an emptied file, which the backend must not take for a deletion.
 */
class FileServiceDiscoveryContractTest extends AbstractServiceDiscoveryContractTest {

  @TempDir
  Path dir;

  private final Map<String, List<Endpoint>> content = new LinkedHashMap<>();
  private final List<FileServiceDiscovery> backends = new CopyOnWriteArrayList<>();

  private Path file() {
    return dir.resolve("endpoints.txt");
  }

  @Override
  protected ServiceDiscovery newDiscovery() throws IOException {
    if (!Files.exists(file())) {
      write();
    }
    FileServiceDiscovery d = FileServiceDiscovery.watching(file(), java.time.Duration.ofMillis(50));
    backends.add(d);
    return d;
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) throws IOException {
    content.put(service, List.copyOf(endpoints));
    write();
    refreshAll();
  }

  @Override
  protected void publishEmpty(String service) throws IOException {
    Files.write(file(), new byte[0]); // an in-place save caught half-way: truncated, not yet written
    refreshAll();
    refreshAll();
  }

  @Override
  protected void awaitEmptyPushHandled(RecordingListener listener) {
    // handled synchronously by the two reads in publishEmpty; the file backend pushes nothing for an empty file
  }

  @Override
  protected void delete(String service) throws IOException {
    content.remove(service);
    write();
    refreshAll();
  }

  @Override
  protected AutoCloseable breakSource() throws IOException {
    Files.delete(file());
    refreshAll();
    return () -> {
      write();
      refreshAll();
    };
  }

  @Override
  protected Set<String> threadNamePrefixes() {
    return Set.of("mesh-file-discovery");
  }

  private void refreshAll() {
    backends.forEach(FileServiceDiscovery::refresh);
  }

  private void write() throws IOException {
    StringBuilder sb = new StringBuilder("# written by the contract test\n");
    content.forEach((service, endpoints) -> endpoints.forEach(e -> {
      sb.append(service).append(' ').append(e.authority());
      if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
        sb.append(" weight=").append(e.weight());
      }
      if (!e.zone().isEmpty()) {
        sb.append(" zone=").append(e.zone());
      }
      e.labels().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
      sb.append('\n');
    }));
    sb.append(FileServiceDiscovery.END_LINE).append('\n');
    Path tmp = Files.createTempFile(dir, "endpoints", ".tmp");
    Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
