package io.meshsdk.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code machine.json}, written by {@code run-suite.sh}: the facts a figure needs next to it, and what each part ran.
 *
 * @param mode {@code quick} or {@code full}
 * @param date when the suite started (ISO-8601, UTC)
 * @param javaVersion the output of {@code java -version}
 * @param nproc {@code nproc}
 * @param loadBefore {@code /proc/loadavg}'s first three fields before the first part
 * @param loadAfter the same after the last part
 * @param commit the git commit (with {@code -dirty} when the work tree had changes)
 * @param os {@code uname -srm}
 * @param cpuModel the CPU model name
 * @param elapsedSeconds the whole run, build excluded
 * @param parts what ran, in order
 */
record Machine(String mode, String date, String javaVersion, String nproc, String loadBefore, String loadAfter,
    String commit, String os, String cpuModel, double elapsedSeconds, List<Part> parts) {

  /** Nothing known (no {@code machine.json}). */
  static final Machine UNKNOWN = new Machine("", "", "", "", "", "", "", "", "", Double.NaN, List.of());

  /**
   * One part of the run.
   *
   * @param name the part's name (its result files are {@code <name>.json} / {@code <name>.txt})
   * @param status {@code ok}, {@code failed} or {@code skipped}
   * @param seconds how long it took
   * @param command the exact command, from the repository root
   * @param note why it was skipped or failed, or {@code ""}
   */
  record Part(String name, String status, double seconds, String command, String note) {}

  /** Reads {@code machine.json}. */
  static Machine parse(String json) {
    Object root = Json.parse(json);
    List<Part> parts = new ArrayList<>();
    for (Object p : Json.list(Json.get(root, "parts"))) {
      parts.add(new Part(s(p, "name"), s(p, "status"), Json.number(Json.get(p, "seconds")), s(p, "command"),
          s(p, "note")));
    }
    return new Machine(s(root, "mode"), s(root, "date"), s(root, "javaVersion"), s(root, "nproc"),
        s(root, "loadAverageBefore"), s(root, "loadAverageAfter"), s(root, "gitCommit"), s(root, "os"),
        s(root, "cpuModel"), Json.number(Json.get(root, "elapsedSeconds")), parts);
  }

  /** The JDK in short, {@code OpenJDK 17.0.15}, from the {@code java -version} text. */
  String jdk() {
    String first = javaVersion.lines().findFirst().orElse("").trim();
    int q1 = first.indexOf('"');
    int q2 = first.indexOf('"', q1 + 1);
    if (q1 < 0 || q2 < 0) {
      return first;
    }
    String vendor = first.substring(0, q1).replace(" version", "").trim();
    String name = vendor.equalsIgnoreCase("openjdk") ? "OpenJDK" : vendor;
    return (name + " " + first.substring(q1 + 1, q2)).trim();
  }

  /** The one-minute load average of a {@code /proc/loadavg}-style text, or {@code ?}. */
  static String oneMinute(String loadavg) {
    String t = loadavg.trim();
    return t.isEmpty() ? "?" : t.split("\\s+")[0];
  }

  /** Whether this came from a {@code machine.json} (it has a date). */
  boolean known() {
    return !date.isEmpty();
  }

  /** One line for chart subtitles: date, CPUs, JDK, load, commit, mode. */
  String subtitle() {
    if (!known()) {
      return "machine unknown (no machine.json)";
    }
    String shortCommit = commit.length() > 12 && !commit.contains("-") ? commit.substring(0, 12)
        : commit.replaceFirst("^([0-9a-f]{12})[0-9a-f]*", "$1");
    return String.format(Locale.ROOT, "%s · %s vCPU · %s · load average %s → %s · commit %s · %s run",
        date.replace('T', ' ').replace("Z", " UTC"), nproc, jdk(), oneMinute(loadBefore), oneMinute(loadAfter),
        shortCommit, mode);
  }

  private static String s(Object o, String key) {
    return Json.string(Json.get(o, key), "");
  }
}
