package io.meshsdk.core.common;

import java.util.Locale;

/**
 * How a caller's name is compared, by the inbound guard's per-caller limits and by access policies alike: trimmed,
 * lower case; {@value #ANONYMOUS} when empty, longer than {@value #MAX_LENGTH} characters or holding a character no
 * service name or SPIFFE id has (anything but ASCII letters, digits, {@code - _ . : /}), so that respelling,
 * padding or injecting a name never makes a new caller.
 */
public final class CallerNames {

  /** The caller name of a request whose caller is unknown or unusable. */
  public static final String ANONYMOUS = "anonymous";
  /** Longest caller name kept; longer ones are {@value #ANONYMOUS}. */
  public static final int MAX_LENGTH = 128;

  private CallerNames() {}

  /** {@code name} normalised; an already normal name is returned as is (no allocation). */
  public static String normalise(String name) {
    int n = name.length();
    boolean plain = n > 0 && n <= MAX_LENGTH;
    for (int i = 0; plain && i < n; i++) {
      char c = name.charAt(i);
      plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':'
          || c == '/';
    }
    if (plain) {
      return name;
    }
    String t = name.strip();
    if (t.isEmpty() || t.length() > MAX_LENGTH) {
      return ANONYMOUS;
    }
    for (int i = 0; i < t.length(); i++) {
      if (!allowed(t.charAt(i))) {
        return ANONYMOUS;
      }
    }
    return t.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code c} may appear in a caller name. */
  public static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
        || c == '.' || c == ':' || c == '/';
  }
}
