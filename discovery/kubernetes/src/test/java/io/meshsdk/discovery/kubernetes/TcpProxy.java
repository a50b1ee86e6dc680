package io.meshsdk.discovery.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of the mock API server, so that a test can make the API server unreachable
 * ({@link #cut()}: listener and every live connection closed, new connections refused) and bring it back on the
 * same port ({@link #restore()}) while the mock server keeps its state.
 */
final class TcpProxy implements AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private final int port;

  TcpProxy(int target) throws IOException {
    this.target = target;
    this.server = bind(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  int port() {
    return port;
  }

  /** The API server becomes unreachable: connections refused, open ones reset. */
  synchronized void cut() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
  }

  /** The API server is reachable again on the same port. */
  synchronized void restore() throws IOException {
    if (!server.isClosed()) {
      return;
    }
    server = bind(port);
    accept(server);
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void accept(ServerSocket listener) {
    thread("accept", () -> {
      while (!listener.isClosed()) {
        try {
          Socket in = listener.accept();
          Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(in);
          sockets.add(out);
          thread("pipe", () -> pipe(in, out));
          thread("pipe", () -> pipe(out, in));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  private void pipe(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed: fall through
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private static void thread(String what, Runnable r) {
    Thread t = new Thread(r, "test-proxy-" + what + "-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }
}
