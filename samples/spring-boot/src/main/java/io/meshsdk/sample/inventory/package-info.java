/** The inventory service: registers itself in the registry when ready and drains on shutdown. */
@NullMarked
package io.meshsdk.sample.inventory;

import org.jspecify.annotations.NullMarked;
