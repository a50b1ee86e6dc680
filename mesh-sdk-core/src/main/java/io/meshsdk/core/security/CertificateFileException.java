package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A certificate, key or trust bundle file that cannot be used: missing, unreadable, empty, truncated, not PEM, a key
 * that does not match its certificate, a chain out of order, a bundle without a CA, a certificate without a SPIFFE
 * id. The message has the form {@code <file>: <what is wrong>}.
 */
public final class CertificateFileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  /** {@code file} cannot be used because of {@code problem}. */
  public CertificateFileException(Path file, String problem, @org.jspecify.annotations.Nullable Throwable cause) {
    super(requireNonNull(file, "file") + ": " + requireNonNull(problem, "problem"), cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }

  /** What is wrong with it. */
  public String problem() {
    return problem;
  }
}
