package io.meshsdk.core.internal.okhttp;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.CallerContext;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.Deadlines;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * A {@link Call.Factory} that captures, when a call is created, what the mesh needs from the creating thread (its
 * deadline, the observers' context such as the current trace span) and hands it to the thread that runs the call
 * ({@code enqueue} runs calls on OkHttp's dispatcher threads). Costs nothing when there is nothing to capture.
 */
public final class MeshCallFactory implements Call.Factory {

  private final OkHttpClient client;
  private final MeshObserver observer;

  /** A factory over {@code client} (a mesh client). */
  public MeshCallFactory(OkHttpClient client, MeshObserver observer) {
    this.client = requireNonNull(client, "client");
    this.observer = requireNonNull(observer, "observer");
  }

  @Override
  public Call newCall(Request request) {
    long deadline = Deadlines.current();
    Object context = observer.captureContext();
    if (deadline == Deadlines.NONE && context == null) {
      return client.newCall(request);
    }
    return client.newCall(request.newBuilder().tag(CallerContext.class, new CallerContext(deadline, context)).build());
  }
}
