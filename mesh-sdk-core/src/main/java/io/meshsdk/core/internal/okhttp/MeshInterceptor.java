package io.meshsdk.core.internal.okhttp;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.MeshEngine;
import io.meshsdk.core.internal.engine.ServicePipeline;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The OkHttp application interceptor that puts calls to mesh services through the engine and lets every other
 * call pass untouched.
 */
public final class MeshInterceptor implements Interceptor {

  private final MeshEngine engine;

  /** An interceptor over {@code engine}. */
  public MeshInterceptor(MeshEngine engine) {
    this.engine = requireNonNull(engine, "engine");
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    ServicePipeline pipeline = engine.pipelineForHost(chain.request().url().host());
    return pipeline == null ? chain.proceed(chain.request()) : engine.execute(pipeline, new OkHttpCall(chain));
  }
}
