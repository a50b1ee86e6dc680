package io.meshsdk.sample.inventory;

import io.meshsdk.spring.EnableMesh;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The inventory service. {@code @EnableMesh} with {@code mesh.registry.uri} (application.yml, profile
 * {@code inventory}) registers it in ZooKeeper when ready and drains it on shutdown.
 */
@SpringBootApplication
@EnableMesh
public class InventoryApplication {}
