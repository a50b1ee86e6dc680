package io.meshsdk.core.internal.jdk;

import io.meshsdk.core.internal.engine.CallerContext;
import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLSession;
import okhttp3.HttpUrl;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/** One logical call made with the JDK {@link HttpClient}. */
final class JdkHttpCall<T> implements TransportCall<HttpResponse<T>> {

  private final HttpClient client;
  private final HttpRequest request;
  private final HttpResponse.BodyHandler<T> handler;
  private final HttpUrl url;
  private HttpRequest.@Nullable BodyPublisher body;
  private volatile @Nullable CompletableFuture<HttpResponse<T>> inFlight;
  private volatile boolean canceled;
  private final @Nullable CallerContext caller;

  JdkHttpCall(
      HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler, @Nullable CallerContext caller) {
    this.client = client;
    this.request = request;
    this.handler = handler;
    this.caller = caller;
    this.url = HttpUrl.get(request.uri());
    this.body = request.bodyPublisher().orElse(null);
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public @Nullable Object callerContext() {
    return caller;
  }

  @Override
  public HttpUrl url() {
    return url;
  }

  @Override
  public @Nullable String header(String name) {
    return request.headers().firstValue(name).orElse(null);
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    request.headers().map().forEach((name, values) -> {
      for (String v : values) {
        action.accept(name, v);
      }
    });
  }

  @Override
  public boolean hasBody() {
    HttpRequest.BodyPublisher b = body;
    return b != null && b.contentLength() != 0;
  }

  @Override
  public boolean prepareReplay(long maxBytes) throws IOException {
    HttpRequest.BodyPublisher b = body;
    if (b == null || b.contentLength() == 0) {
      return true;
    }
    long length = b.contentLength();
    if (length < 0 || length > maxBytes) {
      return false;
    }
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    b.subscribe(new Flow.Subscriber<ByteBuffer>() {
      private final Buffer collected = new Buffer();

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer item) {
        byte[] chunk = new byte[item.remaining()];
        item.get(chunk);
        collected.write(chunk);
      }

      @Override
      public void onError(Throwable throwable) {
        bytes.completeExceptionally(throwable);
      }

      @Override
      public void onComplete() {
        bytes.complete(collected.readByteArray());
      }
    });
    try {
      body = HttpRequest.BodyPublishers.ofByteArray(bytes.get(30, TimeUnit.SECONDS));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the request body");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("cannot read the request body: " + e, e);
    }
  }

  @Override
  public boolean isCanceled() {
    return canceled;
  }

  @Override
  public void cancel() {
    canceled = true;
    CompletableFuture<HttpResponse<T>> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  @Override
  public HttpResponse<T> passThrough() throws IOException {
    return await(client.sendAsync(request, handler));
  }

  @Override
  public HttpResponse<T> send(AttemptRequest attempt) throws IOException {
    Set<String> replaced = new HashSet<>();
    for (int i = 0; i < attempt.removedCount(); i++) {
      replaced.add(attempt.removedName(i).toLowerCase(Locale.ROOT));
    }
    for (int i = 0; i < attempt.headerCount(); i++) {
      replaced.add(attempt.headerName(i).toLowerCase(Locale.ROOT));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(request, (n, v) -> !replaced.contains(n.toLowerCase(Locale.ROOT)))
        .uri(attempt.url().uri());
    for (int i = 0; i < attempt.headerCount(); i++) {
      b.setHeader(attempt.headerName(i), attempt.headerValue(i));
    }
    String host = attempt.hostHeader();
    if (host != null) {
      try {
        b.setHeader("Host", host);
      } catch (IllegalArgumentException e) {
        throw new IOException("the JDK HttpClient refuses to set the Host header the sidecar hand-off needs; start"
            + " the JVM with -Djdk.httpclient.allowRestrictedHeaders=host, or use the http-proxy hand-off style", e);
      }
    }
    HttpRequest.BodyPublisher p = body;
    b.method(request.method(), p == null ? HttpRequest.BodyPublishers.noBody() : p);
    long timeout = attempt.timeoutNanos();
    if (timeout > 0) {
      b.timeout(Duration.ofNanos(timeout));
    }
    return await(client.sendAsync(b.build(), handler));
  }

  private HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f) throws IOException {
    inFlight = f;
    if (canceled) {
      f.cancel(true);
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (CancellationException e) {
      throw new IOException("Canceled", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException t) {
        java.net.SocketTimeoutException s = new java.net.SocketTimeoutException(t.getMessage());
        s.initCause(t);
        throw s;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(cause), cause);
    } finally {
      inFlight = null;
    }
  }

  @Override
  public int status(HttpResponse<T> response) {
    return response.statusCode();
  }

  @Override
  public @Nullable String responseHeader(HttpResponse<T> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  @Override
  public void discard(HttpResponse<T> response) {
    if (response.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException e) {
        // dropping a response before a retry
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked") // T is InputStream in that branch
  public HttpResponse<T> track(HttpResponse<T> response, BodyCompletion completion) {
    if (!(response.body() instanceof InputStream in)) {
      completion.bodyComplete(); // the handler already read (or discarded) the body
      return response;
    }
    return new Tracked<>(response, (T) completion.track(in));
  }

  /** A response whose body is a tracked stream. */
  private record Tracked<T>(HttpResponse<T> delegate, T body) implements HttpResponse<T> {
    @Override
    public int statusCode() {
      return delegate.statusCode();
    }

    @Override
    public HttpRequest request() {
      return delegate.request();
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return delegate.previousResponse();
    }

    @Override
    public HttpHeaders headers() {
      return delegate.headers();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return delegate.sslSession();
    }

    @Override
    public java.net.URI uri() {
      return delegate.uri();
    }

    @Override
    public HttpClient.Version version() {
      return delegate.version();
    }
  }
}
