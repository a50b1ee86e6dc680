package io.meshsdk.core.internal.jdk;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.CallerContext;
import io.meshsdk.core.internal.engine.MeshEngine;
import io.meshsdk.core.internal.engine.ServicePipeline;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.Deadlines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * A JDK {@link HttpClient} whose calls to mesh services go through the mesh's engine (routing, balancing,
 * resilience, observers), everything else through {@code delegate} untouched. {@code send} runs on the caller's
 * thread like OkHttp's {@code execute}; {@code sendAsync} runs the same on the delegate's executor (or the common
 * pool), carrying the caller's deadline and the observers' context (the current trace span). HTTP/2 push
 * promises are not supported for mesh calls.
 */
public final class MeshHttpClient extends HttpClient {

  private final HttpClient delegate;
  private final MeshEngine engine;
  private final MeshObserver observer;

  /** A mesh client over {@code delegate}; {@code observer} captures the caller's context for {@code sendAsync}. */
  public MeshHttpClient(HttpClient delegate, MeshEngine engine, MeshObserver observer) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.engine = requireNonNull(engine, "engine");
    this.observer = requireNonNull(observer, "observer");
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException,
      InterruptedException {
    return send(request, handler, null);
  }

  /** A mesh call through the engine ({@code caller}: what an async caller's thread knew), else the delegate's. */
  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      @Nullable CallerContext caller) throws IOException, InterruptedException {
    String host = request.uri().getHost();
    ServicePipeline p = host == null ? null : engine.pipelineForHost(host);
    if (p == null) {
      return delegate.send(request, handler);
    }
    return engine.execute(p, new JdkHttpCall<>(delegate, request, handler, caller));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    Executor executor = delegate.executor().orElse(ForkJoinPool.commonPool());
    // what the calling thread knows (its deadline, the observers' context such as the current span), captured
    // here and restored on the executor's thread, as Mesh.callFactory does for OkHttp's enqueue
    long deadline = Deadlines.current();
    Object context = observer.captureContext();
    CallerContext caller =
        deadline == Deadlines.NONE && context == null ? null : new CallerContext(deadline, context);
    return CompletableFuture.supplyAsync(() -> {
      try {
        return send(request, handler, caller);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    }, executor);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return sendAsync(request, handler);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }
}
