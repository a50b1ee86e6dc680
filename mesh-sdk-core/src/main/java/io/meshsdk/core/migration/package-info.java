/**
 * Migration plans: a service's sidecar share stepped up on its own while guards comparing the sidecar path with
 * the direct path hold, rolled back one step when one trips, every move recorded with its figures. The
 * definitions ({@link io.meshsdk.core.migration.MigrationPlan}, {@code mesh.plans.<name>.*}) and what the mesh
 * reports about a plan at work ({@link io.meshsdk.core.migration.PlanStatus},
 * {@link io.meshsdk.core.migration.PlanEvidence}). Uses {@code common} only. See {@code docs/migration.md} and
 * {@code docs/adr/0021-migration-plans.md}.
 */
@NullMarked
package io.meshsdk.core.migration;

import org.jspecify.annotations.NullMarked;
