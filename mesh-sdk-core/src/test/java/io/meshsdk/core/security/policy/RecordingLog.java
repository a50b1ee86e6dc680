package io.meshsdk.core.security.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PolicyLog} that keeps its lines, for assertions. */
final class RecordingLog implements PolicyLog {

  final List<String> denials = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  final List<String> applied = new CopyOnWriteArrayList<>();

  @Override
  public void denial(Decision decision, String subject, long count) {
    denials.add((decision.dryRun() ? "INFO " : "WARN ") + decision.describe(subject) + " x" + count);
  }

  @Override
  public void invalid(String file, PolicyException error) {
    errors.add(error.getMessage());
  }

  @Override
  public void applied(String file, String what) {
    applied.add(what);
  }
}
