/**
 * The migration plan state machine: what one service's plan decides at each evaluation (advance, roll back, hold,
 * done, failed), from the figures the engine reads out of the service's migration statistics. Driven by the
 * engine under its lock on the mesh's control thread; time comes from the engine's ticker. Internal.
 */
@NullMarked
package io.meshsdk.core.internal.migration;

import org.jspecify.annotations.NullMarked;
