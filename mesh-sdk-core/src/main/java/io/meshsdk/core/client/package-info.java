/**
 * What callers see of the call path: the exceptions the mesh raises before or instead of a call.
 */
@NullMarked
package io.meshsdk.core.client;

import org.jspecify.annotations.NullMarked;
