package io.meshsdk.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Horizontal bar charts as SVG text, written by hand (no chart library): one or more panels side by side, each a
 * list of groups of labelled rows, each row one or more bars (one per series). A panel's scale is linear from zero,
 * or logarithmic (from a 1-2-5 value below the smallest to one above the largest, ticks at the powers of ten) when its largest value is more than {@link #LOG_THRESHOLD} times its smallest; the axis
 * label says which. Every bar carries its value as text.
 */
final class SvgBarChart {

  /** Above this max/min ratio a panel uses a log scale. */
  static final double LOG_THRESHOLD = 30;

  private static final int BAR = 14;
  private static final int BAR_GAP = 2;
  private static final int ROW_GAP = 8;
  private static final int GROUP_TITLE = 20;
  private static final int VALUE_SPACE = 78;
  private static final double CHAR_WIDTH = 6.8;
  private static final double TICK_CHAR_WIDTH = 6.4;

  /**
   * One bar.
   *
   * @param value its length in the panel's unit; NaN or non-positive draws no bar and writes "n/a"
   * @param colour fill colour
   * @param text the value text written after the bar
   */
  record Bar(double value, String colour, String text) {}

  /**
   * A labelled row of bars.
   *
   * @param label the row's label (left of the bars)
   * @param bars its bars, one per series
   */
  record Row(String label, List<Bar> bars) {}

  /**
   * A titled group of rows ({@code ""}: no title line).
   *
   * @param title the group's title
   * @param rows its rows
   */
  record Group(String title, List<Row> rows) {}

  /**
   * One panel: its own scale and axis.
   *
   * @param title the panel's title
   * @param axisLabel the value axis' label (unit)
   * @param groups the groups of rows
   */
  record Panel(String title, String axisLabel, List<Group> groups) {}

  /**
   * A legend entry.
   *
   * @param colour the swatch colour
   * @param name what it stands for
   */
  record Legend(String colour, String name) {}

  private SvgBarChart() {}

  /** Renders the chart: a title, a subtitle (machine and date), a legend line, then the panels left to right. */
  static String render(String title, String subtitle, List<Legend> legend, List<Panel> panels, int panelWidth) {
    int top = 58 + (legend.isEmpty() ? 0 : 22);
    int width = Math.max(panelWidth * panels.size(), (int) (Math.max(title.length(), subtitle.length()) * CHAR_WIDTH)
        + 40);
    List<String> bodies = new ArrayList<>();
    int height = top;
    for (int i = 0; i < panels.size(); i++) {
      StringBuilder sb = new StringBuilder();
      int h = panel(sb, panels.get(i), i * panelWidth, top, panelWidth);
      bodies.add(sb.toString());
      height = Math.max(height, h);
    }
    height += 12;
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">%n",
        width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<title>%s</title>%n", Format.xml(title)));
    svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n",
        width, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
        Format.xml(title)));
    svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"44\" fill=\"#444444\">%s</text>%n",
        Format.xml(subtitle)));
    double x = 16;
    for (Legend l : legend) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"58\" width=\"12\" height=\"12\" fill=\"%s\"/>"
          + "<text x=\"%.1f\" y=\"68\">%s</text>%n", x, l.colour(), x + 16, Format.xml(l.name())));
      x += 16 + l.name().length() * CHAR_WIDTH + 18;
    }
    bodies.forEach(svg::append);
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** Draws one panel at ({@code left}, {@code top}); returns the y below it. */
  private static int panel(StringBuilder sb, Panel p, int left, int top, int width) {
    double labelWidth = 60;
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (Group g : p.groups()) {
      // group titles are bold, a little wider per character, and must end before the axis
      labelWidth = Math.max(labelWidth, Math.min(300, g.title().length() * CHAR_WIDTH * 1.1 + 8));
      for (Row r : g.rows()) {
        labelWidth = Math.max(labelWidth, Math.min(300, r.label().length() * CHAR_WIDTH + 12));
        for (Bar b : r.bars()) {
          if (b.value() > 0 && Double.isFinite(b.value())) {
            min = Math.min(min, b.value());
            max = Math.max(max, b.value());
          }
        }
      }
    }
    double plotLeft = left + 16 + labelWidth;
    double plotWidth = Math.max(80, width - 16 - labelWidth - VALUE_SPACE);
    Scale scale = max <= 0 ? new Scale(false, 0, 1) : Scale.of(min, max);

    int y = top;
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        left + 16, y + 14, Format.xml(p.title())));
    y += 26;
    int plotTop = y;
    StringBuilder bars = new StringBuilder();
    for (Group g : p.groups()) {
      if (!g.title().isEmpty()) {
        bars.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\" fill=\"#333333\">%s"
            + "</text>%n", left + 16, y + 14, Format.xml(g.title())));
        y += GROUP_TITLE;
      }
      for (Row r : g.rows()) {
        int rowHeight = r.bars().size() * (BAR + BAR_GAP) - BAR_GAP;
        bars.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
            plotLeft - 6, y + rowHeight / 2.0 + 4, Format.xml(r.label())));
        for (Bar b : r.bars()) {
          if (b.value() > 0 && Double.isFinite(b.value())) {
            double w = Math.max(1, scale.fraction(b.value()) * plotWidth);
            bars.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                + " fill=\"%s\"/>%n", plotLeft, y, w, BAR, b.colour()));
            bars.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>%n",
                plotLeft + w + 4, y + BAR - 3, Format.xml(b.text())));
          } else {
            bars.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#888888\">"
                + "n/a</text>%n", plotLeft + 4, y + BAR - 3));
          }
          y += BAR + BAR_GAP;
        }
        y += ROW_GAP - BAR_GAP;
      }
    }
    int plotBottom = y;
    // grid and tick labels first, so bars are drawn over the grid lines; a label that would touch the one before it
    // is left out (its grid line stays)
    double lastLabelEnd = Double.NEGATIVE_INFINITY;
    for (double t : scale.ticks()) {
      double x = plotLeft + scale.fraction(t) * plotWidth;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>%n",
          x, plotTop - 4, x, plotBottom));
      String label = Format.num(t);
      double half = label.length() * TICK_CHAR_WIDTH / 2;
      if (x - half > lastLabelEnd + 6) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\""
            + " fill=\"#444444\">%s</text>%n", x, plotBottom + 14, Format.xml(label)));
        lastLabelEnd = x + half;
      }
    }
    sb.append(bars);
    sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>%n",
        plotLeft, plotTop - 4, plotLeft, plotBottom));
    sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>%n",
        plotLeft, plotBottom, plotLeft + plotWidth, plotBottom));
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">%s"
        + "</text>%n", plotLeft + plotWidth / 2, plotBottom + 32,
        Format.xml(p.axisLabel() + (scale.log() ? " (log scale)" : ""))));
    return plotBottom + 40;
  }

  /** A linear (from 0) or decade log scale covering [lo, hi]. */
  record Scale(boolean log, double lo, double hi) {

    static Scale of(double min, double max) {
      if (max / min > LOG_THRESHOLD) {
        double lo = niceFloor(min);
        double hi = niceStep(max);
        return new Scale(true, lo, hi > lo ? hi : lo * 10);
      }
      double step = niceStep(max / 5);
      return new Scale(false, 0, Math.ceil(max / step) * step);
    }

    /** Where {@code v} falls between the ends, 0 to 1. */
    double fraction(double v) {
      double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
      return Math.max(0, Math.min(1, f));
    }

    List<Double> ticks() {
      List<Double> ticks = new ArrayList<>();
      if (log) {
        // both ends, and every power of ten between them
        ticks.add(lo);
        for (double t = Math.pow(10, Math.floor(Math.log10(lo)) + 1); t < hi * 0.9999; t *= 10) {
          if (t > lo * 1.0001) {
            ticks.add(t);
          }
        }
        ticks.add(hi);
      } else {
        double step = niceStep(hi / 5);
        for (int i = 0; i * step <= hi * 1.0001; i++) {
          ticks.add(i * step);
        }
      }
      return ticks;
    }

    /** 1, 2 or 5 times a power of ten, at most {@code raw} (a log scale's left end). */
    static double niceFloor(double raw) {
      double p = Math.pow(10, Math.floor(Math.log10(raw)));
      double m = raw / p;
      return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
      if (raw <= 0 || !Double.isFinite(raw)) {
        return 1;
      }
      double p = Math.pow(10, Math.floor(Math.log10(raw)));
      double m = raw / p;
      return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }
  }
}
