package io.meshsdk.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the reference users read: every per-service key it lists must be accepted, and
 * the default it states must be the default the code applies (setting a key to its documented default
 * changes nothing).
 */
class ConfigurationDocTest {

  private static final Pattern ROW = Pattern.compile(
      "^\\| `((?:lb|breaker|outlier|health-check|rate-limit|bulkhead|retry|timeout|route|tls)\\.[a-z.-]+)` \\| `([^`]*)`");

  /** Keys whose documentation says that setting them turns their (default-off) policy on. */
  private static final java.util.Set<String> TURNED_ON_BY_SETTING =
      java.util.Set.of("rate-limit.permits", "rate-limit.period", "rate-limit.max-wait",
          "bulkhead.max-concurrent-calls");

  @Test
  void everyDocumentedPerServiceKeyIsAcceptedWithItsDocumentedDefault() throws IOException {
    Path doc = Path.of("..", "docs", "configuration.md");
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(doc)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        rows.add(new String[] {m.group(1), m.group(2)});
      }
    }
    assertThat(rows).as("documented per-service keys with a default").hasSizeGreaterThan(40);
    MeshConfig defaults = MeshConfig.ofDefaults();
    for (String[] row : rows) {
      String key = "mesh.services.docs." + row[0];
      Map<String, String> props = new java.util.HashMap<>(Map.of(key, row[1]));
      String policy = row[0].substring(0, row[0].indexOf('.'));
      if (TURNED_ON_BY_SETTING.contains(row[0])) { // documented: setting the limit turns the policy on
        props.put("mesh.services.docs." + policy + ".enabled", "false");
      }
      MeshConfig c = MeshConfig.fromProperties(props);
      assertThat(c.forService("docs"))
          .as("%s = %s (the documented default) must equal the built-in default", row[0], row[1])
          .isEqualTo(defaults.defaults());
    }
  }
}
