package io.meshsdk.core.security.policy;

import java.util.Locale;

/**
 * The caller-name normalisation of the inbound guard ({@code InboundGuard.callerName}), repeated here so this
 * package does not depend on the guard (which will depend on it): trimmed, lower case; {@value #ANONYMOUS} when
 * empty, longer than {@value #MAX_LENGTH} characters or holding a character other than ASCII letters, digits,
 * {@code - _ . : /}. An already normal name is returned as is (no allocation).
 */
final class Callers {

  static final String ANONYMOUS = "anonymous";
  static final int MAX_LENGTH = 128;

  private Callers() {}

  static String normalise(String name) {
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

  static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
        || c == '.' || c == ':' || c == '/';
  }
}
