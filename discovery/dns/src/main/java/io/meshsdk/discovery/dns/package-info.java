/**
 * DNS discovery for services outside any registry: A/AAAA or SRV records, re-resolved when their TTL expires
 * ({@code mesh.discovery.uri=dns:system} or {@code dns://127.0.0.1:5353}). See
 * {@link io.meshsdk.discovery.dns.DnsServiceDiscovery}.
 */
@org.jspecify.annotations.NullMarked
package io.meshsdk.discovery.dns;
