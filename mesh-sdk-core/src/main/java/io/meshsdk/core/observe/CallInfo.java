package io.meshsdk.core.observe;

import okhttp3.HttpUrl;

/**
 * A logical call as it starts.
 *
 * @param service the mesh service called
 * @param method the HTTP method
 * @param logicalUrl the URL as the caller wrote it, e.g. {@code http://inventory/items/42}
 * @param route the path this call takes
 * @param loadBalancer the policy name of the service's balancer (for tags/attributes)
 * @param headers the request's headers as the application set them (e.g. a {@code traceparent} to continue)
 */
public record CallInfo(
    String service, String method, HttpUrl logicalUrl, Route route, String loadBalancer, RequestHeaders headers) {}
