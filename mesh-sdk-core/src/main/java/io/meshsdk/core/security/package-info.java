/**
 * Workload identity and encryption: SPIFFE ids ({@link io.meshsdk.core.security.SpiffeId}), the workload's
 * rotating certificates loaded from PEM files ({@link io.meshsdk.core.security.WorkloadCertificates}, configured by
 * {@link io.meshsdk.core.security.TlsConfig}) and the per-service outbound TLS settings
 * ({@link io.meshsdk.core.security.ServiceTlsConfig}). See {@code docs/security.md}.
 */
@NullMarked
package io.meshsdk.core.security;

import org.jspecify.annotations.NullMarked;
