package io.meshsdk.spring;

import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.function.BiConsumer;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One logical call to a mesh service, made by a {@link MeshClientHttpRequest}, as the mesh's transport: each attempt is
 * one request of the wrapped factory to the attempt's URL, with the application's headers, the attempt's set over them
 * and the mesh-owned ones it removes left out. The body is the byte array the request buffered, so it is replayable as
 * it is. The URL conversions come from the factory's {@link UrlCache}.
 *
 * <p>Cancelling (the call's deadline passed) interrupts the thread while it waits in {@link #send} (the JDK
 * {@code HttpClient} request factory, Boot's default when no other client library is present, aborts the exchange;
 * {@code simple} and {@code httpcomponents} ignore the interrupt, so their read timeout bounds the wait) and the
 * interrupt is cleared once {@code send} returns; during the body read it closes the body, on a thread of its own:
 * some clients' {@code close()} waits for a blocked read or drains the body, and the mesh's one deadline thread must
 * not wait with it. Spring's request factories have no per-request timeout, so {@link AttemptRequest#timeoutNanos()}
 * is not applied per attempt: the factory's own read timeout and the call deadline ({@code timeout.call}) bound an
 * attempt.
 */
final class SpringHttpCall implements TransportCall<ClientHttpResponse> {

  private final HttpRequest request;
  private final HttpHeaders headers;
  private final byte[] body;
  private final ClientHttpRequestFactory factory;
  private final HttpUrl url;
  private final UrlCache urls;
  private final Object lock = new Object();
  private @Nullable Thread sending;
  private boolean interruptedByCancel;
  private @Nullable InputStream readingBody;
  private volatile boolean canceled;

  /**
   * The call of {@code request}, whose headers (as the application wrote them) are {@code headers} and whose body is
   * {@code body}; each attempt is a request of {@code factory}.
   */
  SpringHttpCall(HttpRequest request, HttpHeaders headers, byte[] body, ClientHttpRequestFactory factory,
      UrlCache urls) {
    this.request = request;
    this.headers = headers;
    this.body = body;
    this.factory = factory;
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
    return headers.getFirst(name);
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    headers.forEach((name, values) -> {
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
    return true; // the request buffered the body into a byte array: every attempt sends it whole
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
      Thread closer = new Thread(() -> closeQuietly(in), "mesh-spring-cancel");
      closer.setDaemon(true);
      closer.start();
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException e) {
      // the body read fails with its own exception
    }
  }

  @Override
  public ClientHttpResponse passThrough() throws IOException {
    ClientHttpRequest out = factory.createRequest(request.getURI(), request.getMethod());
    copyHeaders(out.getHeaders());
    return execute(out);
  }

  @Override
  public ClientHttpResponse send(AttemptRequest attempt) throws IOException {
    ClientHttpRequest out = factory.createRequest(urls.physical(attempt.url()), request.getMethod());
    HttpHeaders h = out.getHeaders();
    copyHeaders(h);
    for (int i = 0; i < attempt.removedCount(); i++) {
      h.remove(attempt.removedName(i));
    }
    for (int i = 0; i < attempt.headerCount(); i++) {
      h.set(attempt.headerName(i), attempt.headerValue(i));
    }
    String host = attempt.hostHeader();
    if (host != null) {
      h.set(HttpHeaders.HOST, host);
    }
    synchronized (lock) {
      if (canceled) {
        throw new InterruptedIOException("Canceled");
      }
      sending = Thread.currentThread();
    }
    try {
      return execute(out);
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

  /**
   * The application's headers into an attempt's request, each with a list of its own (the attempt's request may write
   * to it; the application's headers are never written). {@code asMultiValueMap()} walks the names as they are stored;
   * {@link HttpHeaders#forEach} would first copy them into a case-insensitive set, a few hundred bytes per attempt. It
   * is deprecated for removal in Spring Framework 7: when it goes, {@code forEach} is the replacement.
   */
  @SuppressWarnings("removal")
  private void copyHeaders(HttpHeaders target) {
    headers.asMultiValueMap().forEach(target::addAll);
  }

  /** Attributes and body into {@code out}, then {@code out} executed. */
  private ClientHttpResponse execute(ClientHttpRequest out) throws IOException {
    Map<String, Object> attributes = request.getAttributes();
    if (!attributes.isEmpty()) {
      out.getAttributes().putAll(attributes);
    }
    if (body.length > 0) {
      out.getHeaders().setContentLength(body.length);
      if (out instanceof StreamingHttpOutputMessage streaming) {
        streaming.setBody(body);
      } else {
        out.getBody().write(body); // not closed: the request's stream is the request's to close
      }
    }
    return out.execute();
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
          closeQuietly(raw); // the read fails, and the engine hears of it through the tracked stream
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
