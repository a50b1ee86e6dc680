/**
 * A test public-key infrastructure: certificate authorities (root and intermediate) that issue workload
 * certificates with SPIFFE ids in the URI SAN, written as the PEM files cert-manager, SPIRE and Istio produce. For
 * mutual-TLS tests against real servers on loopback; never used at run time.
 */
@NullMarked
package io.meshsdk.testing.tls;

import org.jspecify.annotations.NullMarked;
