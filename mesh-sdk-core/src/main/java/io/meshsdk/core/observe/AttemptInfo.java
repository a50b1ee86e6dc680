package io.meshsdk.core.observe;

import io.meshsdk.core.endpoint.EndpointState;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a call.
 *
 * @param attempt 0 for the first attempt, 1 for the first retry...
 * @param endpoint the endpoint picked, or {@code null} when the call goes through the sidecar
 * @param url the physical URL of this attempt (picked endpoint or sidecar)
 */
public record AttemptInfo(int attempt, @Nullable EndpointState endpoint, HttpUrl url) {

  /** The path this attempt took: {@link Route#SIDECAR} when it went through the sidecar, else direct. */
  public Route route() {
    return endpoint == null ? Route.SIDECAR : Route.DIRECT;
  }
}
