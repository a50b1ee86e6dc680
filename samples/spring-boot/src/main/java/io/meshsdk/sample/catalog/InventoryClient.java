package io.meshsdk.sample.catalog;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/** inventory's API as catalog sees it; the group's base URL is {@code http://inventory}. */
public interface InventoryClient {

  /** What inventory answers. */
  record Stock(String id, int quantity, String instance) {}

  @GetExchange("/stock/{id}")
  Stock stock(@PathVariable String id);
}
