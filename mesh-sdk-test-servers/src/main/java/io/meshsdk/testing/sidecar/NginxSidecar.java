package io.meshsdk.testing.sidecar;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * nginx as a sidecar: one process ({@code master_process off}) so that a SIGKILL really stops it, or a master and
 * one worker (for {@code nginx -s reload}); {@code map $host} to an upstream per host, {@code location = /ready};
 * every temp path under the run dir.
 */
final class NginxSidecar extends LocalSidecar {

  private final boolean master;

  NginxSidecar(boolean master) {
    this.master = master;
  }

  @Override
  public String name() {
    return "nginx";
  }

  @Override
  public String debianPackage() {
    return "nginx";
  }

  @Override
  String executable() {
    return "nginx";
  }

  @Override
  String config(Path runDir, int port, Map<String, List<String>> routes) {
    String run = runDir.toString();
    StringBuilder sb = new StringBuilder();
    if ("root".equals(System.getProperty("user.name"))) {
      sb.append("user root;\n");
    }
    sb.append(master ? "master_process on;\n" : "master_process off;\n").append("worker_processes 1;\npid ").append(run).append("/nginx.pid;\n")
        .append("error_log ").append(run).append("/error.log warn;\n")
        .append("events { worker_connections 1024; }\n")
        .append("http {\n  access_log off;\n")
        .append("  client_body_temp_path ").append(run).append("/client_body;\n")
        .append("  proxy_temp_path ").append(run).append("/proxy;\n")
        .append("  fastcgi_temp_path ").append(run).append("/fastcgi;\n")
        .append("  uwsgi_temp_path ").append(run).append("/uwsgi;\n")
        .append("  scgi_temp_path ").append(run).append("/scgi;\n");
    for (Map.Entry<String, List<String>> e : routes.entrySet()) {
      sb.append("  upstream up_").append(safeName(e.getKey())).append(" {\n");
      for (String b : e.getValue()) {
        sb.append("    server ").append(b).append(" max_fails=0;\n");
      }
      sb.append("    keepalive 32;\n  }\n");
    }
    sb.append("  map $host $mesh_upstream {\n    default \"\";\n");
    for (String host : routes.keySet()) {
      sb.append("    ").append(host).append(" up_").append(safeName(host)).append(";\n");
    }
    sb.append("  }\n");
    sb.append("  server {\n    listen 127.0.0.1:").append(port).append(";\n")
        .append("    location = ").append(READY_PATH).append(" { return 200 \"ready\\n\"; }\n")
        .append("    location / {\n")
        .append("      if ($mesh_upstream = \"\") { return 404 \"no route for host $host\\n\"; }\n")
        .append("      proxy_pass http://$mesh_upstream;\n")
        .append("      add_header ").append(VIA_HEADER).append(" nginx always;\n")
        .append("      proxy_http_version 1.1;\n")
        .append("      proxy_set_header Connection \"\";\n")
        .append("      proxy_set_header Host $host;\n")
        .append("      proxy_next_upstream off;\n")
        .append("    }\n  }\n");
    sb.append(extraConfig()); // after the server above, which stays the default one (the ready path)
    sb.append("}\n");
    return sb.toString();
  }

  @Override
  Process reload(String binary, Path runDir, Path config, Process current) throws IOException {
    if (!master) {
      throw new IllegalStateException("nginx reload needs a master process: use LocalSidecar.nginxWithMaster()");
    }
    Process signal = new ProcessBuilder(binary, "-p", runDir.toString(), "-c", config.toString(), "-e",
        runDir + "/error.log", "-s", "reload")
        .directory(runDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve("nginx.out").toFile()))
        .start();
    try {
      if (!signal.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || signal.exitValue() != 0) {
        throw new IllegalStateException("nginx -s reload failed; see " + runDir.resolve("nginx.out"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reloading nginx", e);
    }
    return current; // the master re-reads the config and replaces its worker gracefully
  }

  @Override
  List<String> command(String binary, Path runDir, Path config) {
    return list(binary, "-p", runDir.toString(), "-c", config.toString(), "-e", runDir + "/error.log",
        "-g", "daemon off;");
  }
}
