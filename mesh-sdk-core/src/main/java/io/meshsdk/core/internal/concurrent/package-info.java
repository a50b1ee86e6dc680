/**
 * Engine internals: the mesh's control thread and the deadline watchdog. Not API.
 */
@NullMarked
package io.meshsdk.core.internal.concurrent;

import org.jspecify.annotations.NullMarked;
