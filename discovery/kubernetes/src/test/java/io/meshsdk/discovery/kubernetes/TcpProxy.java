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
 * A TCP relay on 127.0.0.1 in front of the mock API server, so that a test can make the API server unreachable for
 * the clients behind it ({@link #cut()}: new connections refused, the clients' open connections closed) and bring it
 * back on the same port ({@link #restore()}) while the mock server keeps its state.
 *
 * <p>A cut closes only the clients' side: the server's side of each connection stays open and is drained until
 * {@link #close()}. The mock server's watch handler blocks its only event loop for up to a minute when a watch
 * connection fails while it is sending an event (a bug of the mock, not of a real API server); the server never
 * sees a failure this way, and the clients see exactly what an unreachable API server looks like.
 */
final class TcpProxy implements AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int target;
  private final int port;
  private final Set<Socket> clientSides = ConcurrentHashMap.newKeySet();
  private final Set<Socket> serverSides = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket listener;
  private volatile boolean refuseWatches;

  TcpProxy(int target) throws IOException {
    this.target = target;
    this.listener = bind(0);
    this.port = listener.getLocalPort();
    accept(listener);
  }

  int port() {
    return port;
  }

  /** The API server becomes unreachable: connections refused, the clients' open ones closed. */
  synchronized void cut() throws IOException {
    listener.close();
    for (Socket s : clientSides) {
      s.close();
    }
    clientSides.clear();
  }

  /** The API server is reachable again on the same port. */
  synchronized void restore() throws IOException {
    if (!listener.isClosed()) {
      return;
    }
    listener = bind(port);
    accept(listener);
  }

  /**
   * Whether new connections whose first request is a watch ({@code watch=true}) are closed before they reach the
   * server: lists work, watches do not (an API server that fails watches only).
   */
  void refuseWatches(boolean refuse) {
    refuseWatches = refuse;
  }

  /** Closes the clients' side of every open connection (they reconnect through the open listener). */
  synchronized void dropConnections() throws IOException {
    for (Socket s : clientSides) {
      s.close();
    }
    clientSides.clear();
  }

  /** Cuts, and closes the server's side of every connection too. */
  @Override
  public synchronized void close() throws IOException {
    cut();
    for (Socket s : serverSides) {
      s.close();
    }
    serverSides.clear();
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void accept(ServerSocket server) {
    thread("accept", () -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          thread("open", () -> open(client));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  private void open(Socket client) {
    try {
      byte[] first = new byte[16 * 1024];
      int n = client.getInputStream().read(first);
      if (n < 0 || (refuseWatches && new String(first, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
          .lines().findFirst().orElse("").contains("watch=true"))) {
        client.close();
        return;
      }
      Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
      clientSides.add(client);
      serverSides.add(upstream);
      upstream.getOutputStream().write(first, 0, n);
      upstream.getOutputStream().flush();
      thread("up", () -> pipe(client, upstream, false));
      thread("down", () -> pipe(upstream, client, true));
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /**
   * Copies {@code from} to {@code to}. From the server ({@code drain}): when the client's side is gone, keeps reading
   * and discarding until the server closes. From the client: stops when the client's side is gone, leaving the
   * server's side open.
   */
  private void pipe(Socket from, Socket to, boolean drain) {
    byte[] buf = new byte[16 * 1024];
    boolean writing = true;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (writing) {
          try {
            out.write(buf, 0, n);
            out.flush();
          } catch (IOException e) {
            if (!drain) {
              return;
            }
            writing = false;
          }
        }
      }
      if (drain) {
        closeQuietly(to); // the server closed: so does the client's side
        clientSides.remove(to);
      }
    } catch (IOException e) {
      // a side closed: handled by the rules above
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
