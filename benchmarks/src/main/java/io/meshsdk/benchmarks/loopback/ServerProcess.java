package io.meshsdk.benchmarks.loopback;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LoopbackServer} in a child JVM: same {@code java} binary and class path as this one. Closing it closes
 * the child's stdin (the child exits) and waits for it; a shutdown hook kills it if this JVM ends first.
 */
final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ServerProcess start(int threads, List<String> jvmOptions) throws IOException {
    return start(threads, jvmOptions, false);
  }

  /**
   * Starts the server JVM; {@code lowestPriority}: under {@code nice -n 19}, so that it only runs on CPU time no
   * normal-priority process wants (it stands for a server with spare capacity on another host).
   */
  static ServerProcess start(int threads, List<String> jvmOptions, boolean lowestPriority) throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>();
    if (lowestPriority) {
      cmd.add("nice");
      cmd.add("-n");
      cmd.add("19");
    }
    cmd.add(java.toString());
    cmd.addAll(jvmOptions);
    cmd.add("-Dsun.net.httpserver.nodelay=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LoopbackServer.class.getName());
    cmd.add("0");
    cmd.add(Integer.toString(threads));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "loopback-server-reaper"));
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("port=")) {
      p.destroyForcibly();
      throw new IOException("the server JVM did not report its port (got " + line + ")");
    }
    return new ServerProcess(p, Integer.parseInt(line.substring("port=".length()).trim()));
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
