/** One jar, three processes: a ZooKeeper registry, the inventory service and the catalog service. */
@NullMarked
package io.meshsdk.sample;

import org.jspecify.annotations.NullMarked;
