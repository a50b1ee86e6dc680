package io.meshsdk.benchmarks.loopback;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CPU time consumed so far by a process, in nanoseconds: the sum of its threads' run time from Linux's
 * {@code /proc/<pid>/task/<tid>/schedstat} (nanosecond resolution), else {@code utime + stime} from
 * {@code /proc/<pid>/stat} (clock ticks), else, for this process, the JVM's process CPU time. Threads that
 * exited are no longer counted, so read it around phases in which the process keeps its threads.
 */
final class ProcessCpu {

  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

  private ProcessCpu() {}

  /** CPU nanoseconds of {@code pid} so far, or -1 when it cannot be read. */
  static long nanos(long pid) {
    Path tasks = Paths.get("/proc", Long.toString(pid), "task");
    if (Files.isDirectory(tasks)) {
      long sum = 0;
      boolean any = false;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
        for (Path t : ds) {
          try {
            String s = Files.readString(t.resolve("schedstat"), StandardCharsets.US_ASCII);
            int sp = s.indexOf(' ');
            sum += Long.parseLong(sp < 0 ? s.trim() : s.substring(0, sp));
            any = true;
          } catch (IOException | NumberFormatException e) {
            // a thread that just exited, or no schedstat: skip it
          }
        }
      } catch (IOException e) {
        any = false;
      }
      if (any) {
        return sum;
      }
    }
    long fromStat = fromStat(pid);
    if (fromStat >= 0) {
      return fromStat;
    }
    if (pid == ProcessHandle.current().pid()
        && ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static long fromStat(long pid) {
    try {
      String s = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
