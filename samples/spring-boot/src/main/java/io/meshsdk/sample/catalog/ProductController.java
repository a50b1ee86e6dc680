package io.meshsdk.sample.catalog;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /products/{id}}: a product with its stock, asked of inventory through the mesh. */
@RestController
class ProductController {

  /** The answer; {@code servedBy} is the inventory instance that answered. */
  record Product(String id, String name, int inStock, String servedBy) {}

  private final InventoryClient inventory;

  ProductController(InventoryClient inventory) {
    this.inventory = inventory;
  }

  @GetMapping("/products/{id}")
  Product product(@PathVariable String id) {
    InventoryClient.Stock stock = inventory.stock(id);
    return new Product(id, "product " + id, stock.quantity(), stock.instance());
  }
}
