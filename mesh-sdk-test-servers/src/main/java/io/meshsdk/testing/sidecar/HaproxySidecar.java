package io.meshsdk.testing.sidecar;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** HAProxy 2.x as a sidecar: {@code haproxy -db -f cfg}; Host routing with {@code use_backend}, {@code monitor-uri}. */
class HaproxySidecar extends LocalSidecar {

  @Override
  public String name() {
    return "haproxy";
  }

  @Override
  public String debianPackage() {
    return "haproxy";
  }

  @Override
  String executable() {
    return "haproxy";
  }

  @Override
  String config(Path runDir, int port, Map<String, List<String>> routes) {
    StringBuilder sb = new StringBuilder();
    sb.append("global\n  maxconn 1024\n\n");
    sb.append("defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n")
        .append("  retries 0\n\n");
    sb.append("frontend outbound\n  bind 127.0.0.1:").append(port).append('\n')
        .append("  monitor-uri ").append(READY_PATH).append('\n')
        .append("  http-request set-var(txn.svc) req.hdr(host),field(1,:),lower\n")
        .append("  http-response set-header ").append(VIA_HEADER).append(" haproxy\n");
    synchronized (faults) {
      for (Map.Entry<String, int[]> f : faults.entrySet()) {
        sb.append("  http-request return status ").append(f.getValue()[0]).append(" if { var(txn.svc) -m str ")
            .append(f.getKey()).append(" } { rand(100) lt ").append(f.getValue()[1]).append(" }\n");
      }
    }
    for (String host : routes.keySet()) {
      sb.append("  use_backend be_").append(safeName(host)).append(" if { var(txn.svc) -m str ").append(host)
          .append(" }\n");
    }
    for (Map.Entry<String, String> e : namedBackends().entrySet()) {
      sb.append("  use_backend ").append(e.getValue()).append(" if { var(txn.svc) -m str ").append(e.getKey())
          .append(" }\n");
    }
    sb.append("\n");
    for (Map.Entry<String, List<String>> e : routes.entrySet()) {
      sb.append("backend be_").append(safeName(e.getKey())).append("\n  balance roundrobin\n");
      int i = 0;
      for (String b : e.getValue()) {
        sb.append("  server s").append(i++).append(' ').append(b).append('\n');
      }
      sb.append('\n');
    }
    sb.append(extraConfig());
    return sb.toString();
  }

  @Override
  List<String> command(String binary, Path runDir, Path config) {
    return list(binary, "-db", "-f", config.toString());
  }

  /** A new process binds the port too (SO_REUSEPORT), then tells the old one to stop listening and finish. */
  @Override
  Process reload(String binary, Path runDir, Path config, Process current) throws IOException {
    List<String> cmd = command(binary, runDir, config);
    cmd.add("-sf");
    cmd.add(Long.toString(current.pid()));
    return new ProcessBuilder(cmd)
        .directory(runDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve(name() + ".out").toFile()))
        .start();
  }
}
