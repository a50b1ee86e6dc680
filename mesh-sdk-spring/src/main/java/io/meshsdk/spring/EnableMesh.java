package io.meshsdk.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;

/**
 * Turns the mesh on for a Spring Boot application. Put it on the application class:
 *
 * <pre>{@code
 * @SpringBootApplication
 * @EnableMesh
 * public class CheckoutApplication { ... }
 * }</pre>
 *
 * <p>The annotation only registers a marker bean ({@link MeshMarkerConfiguration.Marker}); the beans themselves come
 * from {@link MeshAutoConfiguration}, which is conditional on that marker and on {@code mesh.enabled} (default
 * {@code true}). Having the starter on the class path therefore changes nothing until the application opts in, and
 * {@code mesh.enabled=false} turns an opted-in application off (for a test or one environment) without a code
 * change. Every bean is {@code @ConditionalOnMissingBean}: declare your own to replace it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(MeshMarkerConfiguration.class)
public @interface EnableMesh {}
