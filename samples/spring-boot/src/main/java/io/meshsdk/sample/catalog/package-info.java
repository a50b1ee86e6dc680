/** The catalog service: calls inventory through the mesh with an HTTP interface client. */
@NullMarked
package io.meshsdk.sample.catalog;

import org.jspecify.annotations.NullMarked;
