/** Spring Boot integration of the mesh. */
@NullMarked
package io.meshsdk.spring;

import org.jspecify.annotations.NullMarked;
