/** The sample's registry: a real ZooKeeper, in-process. */
@NullMarked
package io.meshsdk.sample.registry;

import org.jspecify.annotations.NullMarked;
