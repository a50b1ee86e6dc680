/**
 * etcd v3 discovery and registry: {@code etcd://host:2379,host:22379/mesh/services}. Each instance is one key
 * {@code <prefix>/<service>/<instance-id>} holding a JSON endpoint, written on a lease that the registry keeps
 * alive; discovery reads the prefix once and follows it with one watch. See the module's README for the layout,
 * the keys and the outage behaviour.
 */
@NullMarked
package io.meshsdk.discovery.etcd;

import org.jspecify.annotations.NullMarked;
