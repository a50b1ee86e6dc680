package io.meshsdk.sample.catalog;

import io.meshsdk.spring.EnableMesh;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * The catalog service. {@link InventoryClient} is an HTTP interface client of the group {@code inventory}, whose
 * base URL is {@code http://inventory} (application.yml): {@code @EnableMesh} puts the mesh under it, so the host
 * is a service name resolved through ZooKeeper, balanced over the instances, with inventory's policies.
 */
@SpringBootApplication
@EnableMesh
@ImportHttpServices(group = "inventory", types = InventoryClient.class)
public class CatalogApplication {}
