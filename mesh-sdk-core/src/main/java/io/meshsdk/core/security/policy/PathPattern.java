package io.meshsdk.core.security.policy;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One compiled {@code path=} value: literal segments, one-segment wildcards ({@code {name}} or {@code *}) and an
 * optional trailing {@code /**}. Matching walks the request path's characters once: no split, no regex, no
 * allocation. The path is compared as given (percent-encoding literally, {@code ..} not resolved).
 */
final class PathPattern {

  /** null marks a one-segment wildcard. */
  private final @Nullable String[] segments;
  private final boolean subtree;
  private final boolean root;
  final String text;

  private PathPattern(String text, @Nullable String[] segments, boolean subtree, boolean root) {
    this.text = text;
    this.segments = segments;
    this.subtree = subtree;
    this.root = root;
  }

  /**
   * Compiles {@code text}.
   *
   * @return the pattern; never null
   * @throws IllegalArgumentException with the reason when it is not a valid pattern
   */
  static PathPattern compile(String text) {
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new IllegalArgumentException("path \"" + text + "\" does not start with '/'");
    }
    if (text.indexOf('?') >= 0) {
      throw new IllegalArgumentException("path \"" + text + "\" holds '?': the query string is never part of"
          + " the path");
    }
    if (text.equals("/")) {
      return new PathPattern(text, new String[0], false, true);
    }
    List<@Nullable String> segs = new ArrayList<>();
    boolean subtree = false;
    String[] parts = text.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("**")) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException("path \"" + text + "\": '**' must be the last segment");
        }
        subtree = true;
      } else if (p.isEmpty()) {
        throw new IllegalArgumentException("path \"" + text + "\" has an empty segment"
            + (i == parts.length - 1 ? " (a trailing '/'; use '/**' for a subtree)" : " ('//')"));
      } else if (p.equals("*")) {
        segs.add(null);
      } else if (p.charAt(0) == '{') {
        if (p.length() < 3 || p.charAt(p.length() - 1) != '}' || p.indexOf('{', 1) >= 0
            || p.indexOf('}') != p.length() - 1) {
          throw new IllegalArgumentException("path \"" + text + "\": segment \"" + p + "\" is not a template"
              + " segment {name} (unbalanced or empty braces)");
        }
        segs.add(null);
      } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
        throw new IllegalArgumentException("path \"" + text + "\": segment \"" + p + "\" mixes text and braces"
            + " (a template segment is a whole segment, {name})");
      } else if (p.indexOf('*') >= 0) {
        throw new IllegalArgumentException("path \"" + text + "\": segment \"" + p + "\" holds '*' (a wildcard"
            + " is a whole segment: '*' for one segment, a last '**' for a subtree)");
      } else {
        segs.add(p);
      }
    }
    return new PathPattern(text, segs.toArray(new String[0]), subtree, false);
  }

  /** The first segment when it is a literal (the pattern can only match paths starting with it), else null. */
  @Nullable String head() {
    return root || segments.length == 0 ? null : segments[0];
  }

  /**
   * Whether this is {@code /<literal>/**}: then it matches exactly the paths whose first segment is
   * {@link #head()} (the path {@code /<literal>} itself included).
   */
  boolean isHeadSubtree() {
    return !root && subtree && segments.length == 1 && segments[0] != null;
  }

  boolean matches(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return false;
    }
    if (root) {
      return n == 1;
    }
    int pos = 0;
    for (String seg : segments) {
      if (pos >= n || path.charAt(pos) != '/') {
        return false;
      }
      pos++;
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = n;
      }
      int len = end - pos;
      if (seg == null) {
        if (len == 0) {
          return false;
        }
      } else if (len != seg.length() || !path.regionMatches(pos, seg, 0, len)) {
        return false;
      }
      pos = end;
    }
    return pos == n || (subtree && path.charAt(pos) == '/');
  }

  @Override
  public String toString() {
    return text;
  }
}
