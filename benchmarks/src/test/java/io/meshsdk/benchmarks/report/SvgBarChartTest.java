package io.meshsdk.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.benchmarks.report.SvgBarChart.Bar;
import io.meshsdk.benchmarks.report.SvgBarChart.Group;
import io.meshsdk.benchmarks.report.SvgBarChart.Legend;
import io.meshsdk.benchmarks.report.SvgBarChart.Panel;
import io.meshsdk.benchmarks.report.SvgBarChart.Row;
import io.meshsdk.benchmarks.report.SvgBarChart.Scale;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class SvgBarChartTest {

  /** Parses the SVG as XML (fails on malformed output) and returns every text element's content. */
  static List<String> texts(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  @Test
  void wellFormedWithTitleLabelsValuesAndAxis() throws Exception {
    String svg = SvgBarChart.render("Costs <&> \"quoted\"", "2026-12-02 · 2 vCPU", List.of(new Legend("#000", "mesh")),
        List.of(new Panel("Time", "ns/op", List.of(new Group("Group & co", List.of(
            new Row("a<b", List.of(new Bar(100, "#111", "100 ns"))),
            new Row("missing", List.of(new Bar(Double.NaN, "#111", "n/a"))),
            new Row("c", List.of(new Bar(250, "#222", "250 ns")))))))), 600);
    List<String> texts = texts(svg);
    assertThat(texts).contains("Costs <&> \"quoted\"", "2026-12-02 · 2 vCPU", "mesh", "Time", "Group & co", "a<b",
        "missing", "c", "100 ns", "250 ns", "n/a", "ns/op");
    assertThat(texts).doesNotContain("ns/op (log scale)");
  }

  @Test
  void wideRangesGoLogarithmic() throws Exception {
    String svg = SvgBarChart.render("t", "s", List.of(), List.of(new Panel("Time", "ns/op", List.of(new Group("",
        List.of(new Row("fast", List.of(new Bar(300, "#111", "300"))),
            new Row("slow", List.of(new Bar(86_000, "#111", "86,000")))))))), 600);
    assertThat(texts(svg)).contains("ns/op (log scale)", "200", "1,000", "10,000", "100,000");
  }

  @Test
  void scales() {
    Scale linear = Scale.of(120, 460);
    assertThat(linear.log()).isFalse();
    assertThat(linear.hi()).isEqualTo(500);
    assertThat(linear.ticks()).containsExactly(0.0, 100.0, 200.0, 300.0, 400.0, 500.0);
    assertThat(linear.fraction(250)).isEqualTo(0.5);
    Scale log = Scale.of(15, 86_000);
    assertThat(log.log()).isTrue();
    assertThat(log.lo()).isEqualTo(10);
    assertThat(log.hi()).isEqualTo(100_000);
    assertThat(log.fraction(1_000)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(log.ticks()).containsExactly(10.0, 100.0, 1_000.0, 10_000.0, 100_000.0);
    Scale between = Scale.of(80.5, 4_000);
    assertThat(between.lo()).isEqualTo(50);
    assertThat(between.hi()).isEqualTo(5_000);
    assertThat(between.ticks()).containsExactly(50.0, 100.0, 1_000.0, 5_000.0);
    assertThat(Scale.niceStep(0.7)).isEqualTo(1);
    assertThat(Scale.niceStep(17)).isEqualTo(20);
    assertThat(Scale.niceStep(420)).isEqualTo(500);
  }

  @Test
  void aPanelWithNoValuesStillRenders() throws Exception {
    String svg = SvgBarChart.render("t", "s", List.of(), List.of(new Panel("Empty", "µs", List.of(new Group("",
        List.of(new Row("nothing", List.of(new Bar(0, "#111", "0")))))))), 400);
    assertThat(texts(svg)).contains("nothing", "n/a", "µs");
  }
}
