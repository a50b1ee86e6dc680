package io.meshsdk.sample.inventory;

import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /stock/{id}}: a made-up quantity and which instance answered. */
@RestController
class StockController {

  /** The answer. */
  record Stock(String id, int quantity, String instance) {}

  private final Environment environment;

  StockController(Environment environment) {
    this.environment = environment;
  }

  @GetMapping("/stock/{id}")
  Stock stock(@PathVariable String id) {
    return new Stock(id, Math.floorMod(id.hashCode(), 100),
        "inventory@" + environment.getProperty("local.server.port", "?"));
  }
}
