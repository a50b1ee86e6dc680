package io.meshsdk.testing;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A server on a loopback ephemeral port that hands each accepted connection to a {@link Handler}, for tests where
 * a server must misbehave in ways a real HTTP server will not: trickle bytes, reset mid-body, swallow a request
 * and close. {@link #readHead} and {@link #readBody} parse just enough HTTP/1.1 for that.
 */
public final class RawSocketServer implements AutoCloseable {

  /** Serves one connection; the server closes the socket after it returns. */
  @FunctionalInterface
  public interface Handler {
    void serve(Socket socket) throws IOException, InterruptedException;
  }

  private final ServerSocket listener;
  private final Handler handler;
  private final ExecutorService executor;

  private RawSocketServer(String name, Handler handler) throws IOException {
    this.handler = requireNonNull(handler, "handler");
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "raw-server-" + name);
      t.setDaemon(true);
      return t;
    });
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    executor.execute(this::acceptLoop);
  }

  /** Starts a server named {@code name} (thread names) that serves every connection with {@code handler}. */
  public static RawSocketServer start(String name, Handler handler) {
    try {
      return new RawSocketServer(requireNonNull(name, "name"), handler);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start raw socket server '" + name + "'", e);
    }
  }

  /** The listening port (the host is the loopback address). */
  public int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        executor.execute(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      handler.serve(s);
    } catch (IOException e) {
      // the client went away, or the handler reset the connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The request line and header lines, or {@code null} when the connection ends before a request line. */
  public static @Nullable List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine(in);
      if (line == null || line.isEmpty()) {
        return lines.isEmpty() ? null : lines;
      }
      lines.add(line);
    }
  }

  /** The request body a head announces: Content-Length bytes, a chunked body, or nothing. */
  public static byte[] readBody(InputStream in, List<String> head) throws IOException {
    String length = header(head, "content-length");
    if (length != null) {
      return in.readNBytes(Integer.parseInt(length.trim()));
    }
    String te = header(head, "transfer-encoding");
    if (te == null || !te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new byte[0];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      if (sizeLine == null) {
        throw new IOException("truncated chunked body");
      }
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        String trailer;
        do {
          trailer = readLine(in);
        } while (trailer != null && !trailer.isEmpty());
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      readLine(in); // CRLF after the chunk
    }
  }

  /** The value of header {@code name} in {@code head} (case-insensitive), or {@code null}. */
  public static @Nullable String header(List<String> head, String name) {
    for (int i = 1; i < head.size(); i++) {
      String line = head.get(i);
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static @Nullable String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    executor.shutdownNow();
  }
}
