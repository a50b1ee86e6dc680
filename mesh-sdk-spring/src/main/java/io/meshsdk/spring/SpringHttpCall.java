package io.meshsdk.spring;

import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.function.BiConsumer;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One logical call of a Spring {@code ClientHttpRequestInterceptor} chain as the mesh's transport: each attempt is an
 * {@code execution.execute} of the request rewritten to the attempt's URL and headers. The body is the byte array
 * Spring buffered, so it is replayable as it is. The URL conversions come from the interceptor's {@link UrlCache}, and
 * an attempt's headers are a view over the application's ({@link AttemptHeaders}), not a copy.
 *
 * <p>Cancelling (the call's deadline passed) interrupts the thread while it waits in {@link #send} (the JDK
 * {@code HttpClient} request factory, the default, aborts the exchange) and the interrupt is cleared once
 * {@code send} returns; during the body read it closes the body. Spring's request factories have no per-request
 * timeout, so {@link AttemptRequest#timeoutNanos()} is not applied per attempt: the factory's own read timeout and
 * the call deadline ({@code timeout.call}) bound an attempt.
 */
final class SpringHttpCall implements TransportCall<ClientHttpResponse> {

  private final HttpRequest request;
  private final byte[] body;
  private final ClientHttpRequestExecution execution;
  private final HttpUrl url;
  private final UrlCache urls;
  private final Object lock = new Object();
  private @Nullable Thread sending;
  private boolean interruptedByCancel;
  private @Nullable InputStream readingBody;
  private volatile boolean canceled;

  SpringHttpCall(HttpRequest request, byte[] body, ClientHttpRequestExecution execution, UrlCache urls) {
    this.request = request;
    this.body = body;
    this.execution = execution;
    this.urls = urls;
    this.url = urls.logical(request.getURI());
  }

  @Override
  public String method() {
    return request.getMethod().name();
  }

  @Override
  public HttpUrl url() {
    return url;
  }

  @Override
  public @Nullable String header(String name) {
    return request.getHeaders().getFirst(name);
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    request.getHeaders().forEach((name, values) -> {
      for (String v : values) {
        action.accept(name, v);
      }
    });
  }

  @Override
  public boolean hasBody() {
    return body.length > 0;
  }

  @Override
  public boolean prepareReplay(long maxBytes) {
    return true; // Spring buffered the body into a byte array: every attempt sends it whole
  }

  @Override
  public boolean canResendAsIs() {
    return true;
  }

  @Override
  public boolean isCanceled() {
    return canceled;
  }

  @Override
  public void cancel() {
    canceled = true;
    InputStream in;
    synchronized (lock) {
      Thread t = sending;
      if (t != null) {
        interruptedByCancel = true;
        t.interrupt();
      }
      in = readingBody;
    }
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // the body read fails with its own exception
      }
    }
  }

  @Override
  public ClientHttpResponse passThrough() throws IOException {
    return execution.execute(request, body);
  }

  @Override
  public ClientHttpResponse send(AttemptRequest attempt) throws IOException {
    HttpHeaders headers = AttemptHeaders.of(request.getHeaders(), attempt, attempt.hostHeader());
    HttpRequest rewritten = new Attempt(request, urls.physical(attempt.url()), headers);
    synchronized (lock) {
      if (canceled) {
        throw new InterruptedIOException("Canceled");
      }
      sending = Thread.currentThread();
    }
    try {
      return execution.execute(rewritten, body);
    } catch (IOException e) {
      if (canceled) {
        IOException c = new InterruptedIOException("Canceled");
        c.initCause(e);
        throw c;
      }
      throw e;
    } finally {
      synchronized (lock) {
        sending = null;
        if (interruptedByCancel) {
          interruptedByCancel = false;
          boolean ignored = Thread.interrupted(); // our interrupt, not the application's
        }
      }
    }
  }

  @Override
  public int status(ClientHttpResponse response) {
    try {
      return response.getStatusCode().value();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public @Nullable String responseHeader(ClientHttpResponse response, String name) {
    return response.getHeaders().getFirst(name);
  }

  @Override
  public void discard(ClientHttpResponse response) {
    try {
      response.close();
    } catch (RuntimeException e) {
      // dropping a response before a retry
    }
  }

  @Override
  public ClientHttpResponse track(ClientHttpResponse response, BodyCompletion completion) {
    return new Tracked(response, completion);
  }

  /** The request of one attempt: the application's, at the endpoint's URL, with the mesh's headers. */
  private static final class Attempt implements HttpRequest {
    private final HttpRequest delegate;
    private final URI uri;
    private final HttpHeaders headers;

    Attempt(HttpRequest delegate, URI uri, HttpHeaders headers) {
      this.delegate = delegate;
      this.uri = uri;
      this.headers = headers;
    }

    @Override
    public HttpMethod getMethod() {
      return delegate.getMethod();
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public java.util.Map<String, Object> getAttributes() {
      return delegate.getAttributes();
    }
  }

  /** The returned response: tells the engine how reading its body ended. */
  private final class Tracked implements ClientHttpResponse {
    private final ClientHttpResponse delegate;
    private final BodyCompletion completion;
    private @Nullable InputStream tracked;

    Tracked(ClientHttpResponse delegate, BodyCompletion completion) {
      this.delegate = delegate;
      this.completion = completion;
    }

    @Override
    public HttpStatusCode getStatusCode() throws IOException {
      return delegate.getStatusCode();
    }

    @Override
    public String getStatusText() throws IOException {
      return delegate.getStatusText();
    }

    @Override
    public HttpHeaders getHeaders() {
      return delegate.getHeaders();
    }

    @Override
    public InputStream getBody() throws IOException {
      InputStream t = tracked;
      if (t == null) {
        InputStream raw;
        try {
          raw = delegate.getBody();
        } catch (IOException e) {
          throw completion.bodyFailed(e);
        }
        t = completion.track(raw);
        tracked = t;
        synchronized (lock) {
          readingBody = raw;
        }
        if (canceled) {
          raw.close();
        }
      }
      return t;
    }

    @Override
    public void close() {
      try {
        delegate.close();
      } finally {
        completion.bodyComplete();
      }
    }
  }
}
