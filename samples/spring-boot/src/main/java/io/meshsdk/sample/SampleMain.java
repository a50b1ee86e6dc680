package io.meshsdk.sample;

import io.meshsdk.sample.catalog.CatalogApplication;
import io.meshsdk.sample.inventory.InventoryApplication;
import io.meshsdk.sample.registry.Registry;
import java.util.Arrays;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar mesh-sample-spring-boot.jar registry|inventory|catalog [--key=value...]}: the first argument picks
 * the process, the others go to it (Spring Boot command-line properties for the two services).
 */
public final class SampleMain {

  private SampleMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: java -jar mesh-sample-spring-boot.jar registry|inventory|catalog [--key=value...]");
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "registry" -> Registry.main(rest);
      case "inventory" -> start(InventoryApplication.class, "inventory", rest);
      case "catalog" -> start(CatalogApplication.class, "catalog", rest);
      default -> {
        System.err.println("unknown process '" + args[0] + "': registry, inventory or catalog");
        System.exit(2);
      }
    }
  }

  /**
   * Starts one of the two services with its profile (its section of application.yml).
   *
   * @param application the service's {@code @SpringBootApplication}
   * @param profile {@code inventory} or {@code catalog}
   * @param args command-line properties, e.g. {@code --server.port=0}
   * @return the running service
   */
  public static ConfigurableApplicationContext start(Class<?> application, String profile, String... args) {
    return new SpringApplicationBuilder(application).profiles(profile).run(args);
  }
}
