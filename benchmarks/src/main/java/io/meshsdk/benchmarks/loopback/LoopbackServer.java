package io.meshsdk.benchmarks.loopback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server side of {@link LoopbackComparison}, run in its own JVM: the JDK's HTTP server on 127.0.0.1 (port 0
 * unless given), a fixed thread pool, and one handler that answers every request with 200 and a fixed
 * {@value #BODY_BYTES}-byte body. It prints {@code port=<port>} on stdout once it listens, and exits when its
 * stdin closes, so that it never outlives the process that started it.
 *
 * <pre>
 * java -Dsun.net.httpserver.nodelay=true -cp benchmarks/target/benchmarks.jar \
 *     io.meshsdk.benchmarks.loopback.LoopbackServer [port] [threads]
 * </pre>
 */
public final class LoopbackServer {

  /** The size of every response body. */
  public static final int BODY_BYTES = 128;

  private static final byte[] BODY = body();

  private LoopbackServer() {}

  /** Starts the server and serves until stdin closes. */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      // headers and body are written separately: without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "loopback-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/", LoopbackServer::handle);
    server.start();
    PrintStream out = System.out;
    out.println("port=" + server.getAddress().getPort());
    out.flush();
    InputStream in = System.in;
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      // nothing to read: the parent only closes stdin, which ends this loop
    }
    server.stop(0);
    pool.shutdownNow();
    System.exit(0);
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try (InputStream body = exchange.getRequestBody()) {
      body.transferTo(OutputStream.nullOutputStream());
    }
    exchange.getResponseHeaders().add("content-type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, BODY.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(BODY);
    }
  }

  private static byte[] body() {
    byte[] b = new byte[BODY_BYTES];
    Arrays.fill(b, (byte) 'x');
    byte[] head = "loopback ok ".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, b, 0, head.length);
    b[BODY_BYTES - 1] = '\n';
    return b;
  }
}
