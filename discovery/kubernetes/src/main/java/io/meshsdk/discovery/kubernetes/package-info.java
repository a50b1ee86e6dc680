/**
 * Discovery from Kubernetes EndpointSlices ({@code discovery.k8s.io/v1}): {@link
 * io.meshsdk.discovery.kubernetes.KubernetesServiceDiscovery}, selected by {@code mesh.discovery.uri=kubernetes:}
 * through {@link io.meshsdk.discovery.kubernetes.KubernetesServiceDiscoveryProvider}.
 */
@NullMarked
package io.meshsdk.discovery.kubernetes;

import org.jspecify.annotations.NullMarked;
