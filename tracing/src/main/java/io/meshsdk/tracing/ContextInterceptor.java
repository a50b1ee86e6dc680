package io.meshsdk.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Makes the {@link Context} captured when the call was created current while the call runs, whatever thread
 * OkHttp's dispatcher runs it on. Installed in front of the mesh interceptor by {@link MeshTracing#callFactory}.
 */
final class ContextInterceptor implements Interceptor {

  static final ContextInterceptor INSTANCE = new ContextInterceptor();

  private ContextInterceptor() {}

  @Override
  @SuppressWarnings("try") // the scope is used for its side effect
  public Response intercept(Chain chain) throws IOException {
    Context captured = chain.request().tag(Context.class);
    if (captured == null || captured == Context.current()) {
      return chain.proceed(chain.request());
    }
    try (Scope ignored = captured.makeCurrent()) {
      return chain.proceed(chain.request());
    }
  }
}
