package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.transport.AttemptRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/** What one attempt of the Spring transport sends through the wrapped factory: URL, headers, attributes, body. */
class SpringHttpCallTest {

  /** The requests the wrapped factory created, as they were when executed. */
  private static final class Recording implements ClientHttpRequestFactory {
    final List<Sent> sent = new ArrayList<>();
    final boolean streaming;

    Recording(boolean streaming) {
      this.streaming = streaming;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
      return streaming ? new StreamingRequest(this, uri, method) : new PlainRequest(this, uri, method);
    }
  }

  record Sent(URI uri, HttpMethod method, Map<String, List<String>> headers, Map<String, Object> attributes,
      String body) {}

  private static Map<String, List<String>> read(HttpHeaders h) {
    Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.forEach((name, values) -> {
      assertThat(m).as("one entry per name").doesNotContainKey(name);
      m.put(name, List.copyOf(values));
    });
    return m;
  }

  /** A request that takes its body through {@code getBody()}, as {@code SimpleClientHttpRequest} does. */
  private static class PlainRequest extends AbstractClientHttpRequest {
    final Recording factory;
    final URI uri;
    final HttpMethod method;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PlainRequest(Recording factory, URI uri, HttpMethod method) {
      this.factory = factory;
      this.uri = uri;
      this.method = method;
    }

    @Override
    public HttpMethod getMethod() {
      return method;
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    protected OutputStream getBodyInternal(HttpHeaders headers) {
      return out;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers) {
      factory.sent.add(new Sent(uri, method, read(headers), Map.copyOf(getAttributes()),
          out.toString(StandardCharsets.UTF_8)));
      headers.add("X-Multi", "written by the request"); // a request may write to its own headers
      return new Ok();
    }
  }

  /** A request that takes its body as a {@link StreamingHttpOutputMessage}, as the JDK client's does. */
  private static final class StreamingRequest extends PlainRequest implements StreamingHttpOutputMessage {
    private @Nullable Body body;

    StreamingRequest(Recording factory, URI uri, HttpMethod method) {
      super(factory, uri, method);
    }

    @Override
    public void setBody(Body body) {
      this.body = body;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers) {
      if (body != null) {
        try {
          body.writeTo(out);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return super.executeInternal(headers);
    }
  }

  private static class Ok implements ClientHttpResponse {
    @Override
    public HttpStatusCode getStatusCode() {
      return HttpStatus.OK;
    }

    @Override
    public String getStatusText() {
      return "OK";
    }

    @Override
    public HttpHeaders getHeaders() {
      return new HttpHeaders();
    }

    @Override
    public InputStream getBody() {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public void close() {}
  }

  /** An attempt to {@code url} that sets {@code set} (name, value, ...) and removes {@code removed}. */
  private static AttemptRequest attempt(String url, @Nullable String host, List<String> set, List<String> removed) {
    return new AttemptRequest() {
      @Override
      public HttpUrl url() {
        return HttpUrl.get(url);
      }

      @Override
      public @Nullable String hostHeader() {
        return host;
      }

      @Override
      public int headerCount() {
        return set.size() / 2;
      }

      @Override
      public String headerName(int i) {
        return set.get(2 * i);
      }

      @Override
      public String headerValue(int i) {
        return set.get(2 * i + 1);
      }

      @Override
      public int removedCount() {
        return removed.size();
      }

      @Override
      public String removedName(int i) {
        return removed.get(i);
      }

      @Override
      public long timeoutNanos() {
        return 0;
      }
    };
  }

  private static HttpHeaders application() {
    HttpHeaders h = new HttpHeaders();
    h.add("Accept", "application/json");
    h.add("X-Multi", "a");
    h.add("X-Multi", "b");
    h.add("X-Mesh-Caller", "spoofed");
    h.add("X-Mesh-Deadline", "5");
    return h;
  }

  /** The application's request, with {@code headers} and an attribute. */
  private static ClientHttpRequest request(HttpMethod method, HttpHeaders headers) {
    ClientHttpRequest r = new PlainRequest(new Recording(false), URI.create("http://inventory/items/42?x=1"), method);
    r.getHeaders().addAll(headers);
    r.getAttributes().put("uriTemplate", "/items/{id}");
    return r;
  }

  @Test
  void anAttemptSendsTheApplicationsHeadersWithTheAttemptsOverThem() throws Exception {
    HttpHeaders app = application();
    Recording factory = new Recording(false);
    SpringHttpCall call = new SpringHttpCall(request(HttpMethod.GET, app), app, new byte[0], factory, new UrlCache());

    call.send(attempt("http://10.0.0.1:8080/items/42?x=1", "sidecar.local:15001",
        List.of("x-mesh-caller", "checkout", "X-New", "1"), List.of("x-mesh-deadline")));

    Sent s = factory.sent.get(0);
    assertThat(s.uri()).isEqualTo(URI.create("http://10.0.0.1:8080/items/42?x=1"));
    assertThat(s.method()).isEqualTo(HttpMethod.GET);
    Map<String, List<String>> expected = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    expected.put("Accept", List.of("application/json"));
    expected.put("X-Multi", List.of("a", "b"));
    expected.put("X-Mesh-Caller", List.of("checkout"));
    expected.put("X-New", List.of("1"));
    expected.put("Host", List.of("sidecar.local:15001"));
    assertThat(s.headers()).isEqualTo(expected);
    assertThat(s.headers()).as("no Content-Length for a call without a body").doesNotContainKey("Content-Length");
    assertThat(s.attributes()).containsEntry("uriTemplate", "/items/{id}");
    assertThat(read(app)).as("the application's headers are never written").isEqualTo(read(application()));
  }

  @Test
  void everyAttemptSendsTheWholeBodyThroughEitherKindOfRequest() throws Exception {
    for (boolean streaming : new boolean[] {false, true}) {
      HttpHeaders app = new HttpHeaders();
      app.add("Content-Type", "text/plain");
      byte[] body = "order-42".getBytes(StandardCharsets.UTF_8);
      Recording factory = new Recording(streaming);
      SpringHttpCall call = new SpringHttpCall(request(HttpMethod.POST, app), app, body, factory, new UrlCache());

      call.send(attempt("http://10.0.0.1:8080/items/42?x=1", null, List.of(), List.of()));
      call.send(attempt("http://10.0.0.2:8080/items/42?x=1", null, List.of(), List.of()));

      assertThat(factory.sent).extracting(Sent::body).containsExactly("order-42", "order-42");
      assertThat(factory.sent).extracting(x -> x.headers().get("Content-Length")).containsOnly(List.of("8"));
      assertThat(factory.sent).extracting(x -> x.uri().getHost()).containsExactly("10.0.0.1", "10.0.0.2");
      assertThat(read(app)).doesNotContainKey("Content-Length");
    }
  }

  @Test
  void passThroughSendsTheRequestAsTheApplicationWroteIt() throws Exception {
    HttpHeaders app = application();
    Recording factory = new Recording(false);
    SpringHttpCall call = new SpringHttpCall(request(HttpMethod.GET, app), app, new byte[0], factory, new UrlCache());

    call.passThrough();

    assertThat(factory.sent.get(0).uri()).isEqualTo(URI.create("http://inventory/items/42?x=1"));
    assertThat(factory.sent.get(0).headers()).isEqualTo(read(application()));
  }

  /**
   * A deadline during the body read closes the body on a thread of its own, not the caller's of {@code cancel} (the
   * mesh's one deadline thread): some clients' {@code close()} waits for the blocked read or drains the body.
   */
  @Test
  void cancelClosesTheBodyBeingReadOffTheCancellingThread() throws Exception {
    java.util.concurrent.CompletableFuture<Thread> closedBy = new java.util.concurrent.CompletableFuture<>();
    InputStream body = new ByteArrayInputStream(new byte[16]) {
      @Override
      public void close() {
        closedBy.complete(Thread.currentThread());
      }
    };
    ClientHttpResponse response = new Ok() {
      @Override
      public InputStream getBody() {
        return body;
      }
    };
    HttpHeaders app = new HttpHeaders();
    SpringHttpCall call = new SpringHttpCall(request(HttpMethod.GET, app), app, new byte[0], new Recording(false),
        new UrlCache());
    ClientHttpResponse tracked = call.track(response, new io.meshsdk.core.transport.BodyCompletion() {
      @Override
      public void bodyComplete() {}

      @Override
      public java.io.IOException bodyFailed(java.io.IOException e) {
        return e;
      }
    });
    tracked.getBody();

    call.cancel();

    Thread closer = closedBy.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(closer).isNotSameAs(Thread.currentThread());
    assertThat(closer.getName()).isEqualTo("mesh-spring-cancel");
    assertThat(call.isCanceled()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://10.0.0.1:8080/items/42",
      "http://10.0.0.1/items/42?a=1&b=two%20words",
      "https://inventory.example:8443/a%2Fb/c?q=x+y#frag",
      "http://[::1]:9000/",
      "http://user:pw@10.0.0.1:8080/p?x",
      "http://10.0.0.1:8080/items?filter={a|b}^`",
      "http://10.0.0.1:8080/caf\u00e9/\u00fcber?name=\u00e9t\u00e9",
  })
  void attemptUriIsWhatHttpUrlUriGives(String url) {
    HttpUrl parsed = HttpUrl.get(url);

    assertThat(UrlCache.toUri(parsed)).isEqualTo(parsed.uri());
    assertThat(UrlCache.toUri(parsed).toString()).isEqualTo(parsed.uri().toString());
  }

  @Test
  void urlCacheGivesWhatAParseGivesAndRemembersIt() {
    UrlCache cache = new UrlCache();
    URI first = URI.create("http://inventory/items/42?x=1");
    URI second = URI.create("http://inventory/items/42?x=1");

    HttpUrl parsed = cache.logical(first);

    assertThat(parsed).isEqualTo(HttpUrl.get(first));
    assertThat(cache.logical(second)).isSameAs(parsed);
    assertThat(cache.logical(URI.create("http://inventory/items/43"))).isEqualTo(HttpUrl.get("http://inventory/items/43"));

    HttpUrl physical = HttpUrl.get("http://10.0.0.1:8080/items/42?x=1");
    URI uri = cache.physical(physical);
    assertThat(uri).isEqualTo(physical.uri());
    assertThat(cache.physical(HttpUrl.get("http://10.0.0.1:8080/items/42?x=1"))).isSameAs(uri);
    assertThat(cache.physical(HttpUrl.get("http://10.0.0.2:8080/items/42?x=1")))
        .isEqualTo(URI.create("http://10.0.0.2:8080/items/42?x=1"));
  }
}
