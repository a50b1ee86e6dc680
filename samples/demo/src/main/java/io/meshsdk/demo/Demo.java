package io.meshsdk.demo;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.testing.LoopbackBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * A self-contained tour of mesh-sdk on embedded defaults: real HTTP backends on 127.0.0.1, discovery from a
 * file, load balancing under a slow and a flaky instance, and a report of what the mesh did and why.
 *
 * <p>Run: {@code java -jar samples/demo/target/mesh-demo.jar [--seconds N]} (default 10 s of traffic).
 */
public final class Demo {

  private Demo() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int seconds = 10;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Integer.parseInt(args[++i]);
        if (seconds < 1 || seconds > 50) {
          throw new IllegalArgumentException("--seconds: " + seconds + " (expected: 1-50)");
        }
      } else {
        throw new IllegalArgumentException("unknown argument '" + args[i] + "' (expected: --seconds N)");
      }
    }
    run(Duration.ofSeconds(seconds));
  }

  static void run(Duration trafficTime) throws Exception {
    Path dir = Files.createTempDirectory("mesh-demo");
    try (LoopbackBackend healthy = LoopbackBackend.start("inventory-healthy", 1);
        LoopbackBackend slow = LoopbackBackend.start("inventory-slow", 2).mode(LoopbackBackend.slow(25));
        LoopbackBackend flaky = LoopbackBackend.start("inventory-flaky", 3)
            .mode(LoopbackBackend.flaky(503, 0.3))) {

      title("1. Discovery");
      Path file = dir.resolve("endpoints.txt");
      Files.writeString(file, String.join("\n",
          "# service   address                 attributes",
          "inventory  " + healthy.host() + ":" + healthy.port() + "  id=inventory-healthy zone=z1",
          "inventory  " + slow.host() + ":" + slow.port() + "  id=inventory-slow zone=z1",
          "inventory  " + flaky.host() + ":" + flaky.port() + "  id=inventory-flaky zone=z2",
          ""));
      say("Three real HTTP servers on 127.0.0.1 play the 'inventory' service: one healthy, one that takes");
      say("25 ms per call, one that answers 503 to 30 % of calls. The mesh reads them from " + file.getFileName()
          + ":");
      Files.readAllLines(file).forEach(l -> say("    " + l));

      try (FileServiceDiscovery discovery = FileServiceDiscovery.watching(file, Duration.ofMillis(200));
          Mesh mesh = Mesh.builder().discovery(discovery).config(MeshConfig.ofDefaults()).build()) {
        OkHttpClient http = mesh.newOkHttpClient();
        say("");
        say("The application calls the logical URL http://inventory/items/42; the mesh resolved it to:");
        for (EndpointState s : mesh.endpoints("inventory").states()) {
          say("    " + s.endpoint());
        }

        title("2. Load balancing (least-request, power of two choices over peak-EWMA latency)");
        say("Running " + trafficTime.toSeconds() + " s of traffic from 4 threads...");
        Traffic t = Traffic.run(http, () -> new Request.Builder().url("http://inventory/items/42").build(), 4,
            trafficTime, 200_000);
        System.out.print(t.table());
        say("");
        say("What the balancer saw at the end (cost = latency EWMA x (in-flight + 1)):");
        for (EndpointState s : mesh.endpoints("inventory").states()) {
          say(String.format(Locale.ROOT, "    %-20s ewma %7.2f ms  in-flight %d  ok %6d  failed %5d",
              s.endpoint().id(), s.ewmaNanos() / 1e6, s.inFlight(), s.successes(), s.failures()));
        }
        say("Why: each call compares two random endpoints and takes the cheaper. The slow instance's");
        say("latency EWMA is ~25 ms against well under 1 ms for the others, so it loses almost every");
        say("comparison and gets only a small share; the flaky instance is fast, so it still gets a full share");
        say("of calls and 30 % of those fail.");
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    title("Done");
  }

  static void title(String t) {
    System.out.println();
    System.out.println("== " + t + " " + "=".repeat(Math.max(0, 96 - t.length())));
  }

  static void say(String s) {
    System.out.println(s);
  }
}
