package io.meshsdk.benchmarks.report;

import java.util.Locale;

/** Number formatting shared by the summary tables and the charts. */
final class Format {

  private Format() {}

  /**
   * Three significant figures or so, grouped thousands, whole numbers without decimals: {@code 8,877}, {@code 264},
   * {@code 15.4}, {@code 50}, {@code 0.02}, {@code 1.0e-04}.
   */
  static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.1e", v);
  }

  /** A signed difference: {@code +260}, {@code -12.5}. */
  static String signed(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return (v >= 0 ? "+" : "") + num(v);
  }

  /** A ratio: {@code 1.62×}; {@code n/a} when either side is missing or the divisor is not positive. */
  static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b <= 0) {
      return "n/a";
    }
    double r = a / b;
    return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
  }

  /** A score with its error: {@code 705 ± 168}; just the score when the error is unknown. */
  static String withError(double score, double error) {
    return Double.isNaN(error) ? num(score) : num(score) + " ± " + num(error);
  }

  /** Escapes text for XML content and attribute values. */
  static String xml(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\n' || c == '\t') {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** Escapes a Markdown table cell ({@code |} and line breaks). */
  static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
