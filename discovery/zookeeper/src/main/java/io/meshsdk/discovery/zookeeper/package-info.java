/**
 * Discovery and registration in ZooKeeper ({@code zookeeper://host:2181,host2:2181/services}) with Apache Curator, in
 * the layout and JSON that Spring Cloud Zookeeper Discovery writes with curator-x-discovery: ephemeral nodes
 * {@code <basePath>/<service>/<instance id>} holding a curator-x-discovery {@code ServiceInstance} whose payload is a
 * Spring {@code ZookeeperInstance}. Services on this SDK and services on Spring Cloud Zookeeper find each other.
 * Select it with {@code mesh.discovery.uri} / {@code mesh.registry.uri}, or build it with
 * {@link io.meshsdk.discovery.zookeeper.ZookeeperServiceDiscovery} and
 * {@link io.meshsdk.discovery.zookeeper.ZookeeperServiceRegistry}.
 */
@NullMarked
package io.meshsdk.discovery.zookeeper;

import org.jspecify.annotations.NullMarked;
