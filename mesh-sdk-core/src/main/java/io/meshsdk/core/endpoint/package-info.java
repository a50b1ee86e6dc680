/**
 * Endpoints: immutable values, their live state and snapshots of a service's endpoints.
 */
@NullMarked
package io.meshsdk.core.endpoint;

import org.jspecify.annotations.NullMarked;
