package io.meshsdk.core.internal.okhttp;

import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/** One logical call seen through an OkHttp application interceptor chain. */
final class OkHttpCall implements TransportCall<Response> {

  private final Interceptor.Chain chain;
  private Request request;

  OkHttpCall(Interceptor.Chain chain) {
    this.chain = chain;
    this.request = chain.request();
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public HttpUrl url() {
    return request.url();
  }

  @Override
  public @Nullable String header(String name) {
    return request.header(name);
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    okhttp3.Headers headers = request.headers();
    for (int i = 0, n = headers.size(); i < n; i++) {
      action.accept(headers.name(i), headers.value(i));
    }
  }

  @Override
  public @Nullable Object callerContext() {
    return request.tag(io.meshsdk.core.internal.engine.CallerContext.class);
  }

  @Override
  public boolean hasBody() {
    return request.body() != null;
  }

  @Override
  public boolean prepareReplay(long maxBytes) throws IOException {
    RequestBody body = request.body();
    if (body == null || body instanceof FormBody) {
      return true; // nothing to send, or a form: its fields are held and written again on every attempt
    }
    if (body.isDuplex() || (body.isOneShot() && body.contentLength() < 0)) {
      return false;
    }
    long length = body.contentLength();
    if (length < 0 || length > maxBytes) {
      return false;
    }
    Buffer copy = new Buffer();
    body.writeTo(copy); // the one read of the application's body; every attempt sends this copy
    RequestBody replayable = RequestBody.create(copy.readByteString(), body.contentType());
    request = request.newBuilder().method(request.method(), replayable).build();
    return true;
  }

  @Override
  public boolean canResendAsIs() {
    RequestBody body = request.body();
    return body == null || body instanceof FormBody || (!body.isOneShot() && !body.isDuplex());
  }

  @Override
  public boolean isCanceled() {
    return chain.call().isCanceled();
  }

  @Override
  public void cancel() {
    chain.call().cancel();
  }

  @Override
  public Response passThrough() throws IOException {
    return chain.proceed(request);
  }

  @Override
  public Response send(AttemptRequest attempt) throws IOException {
    Request.Builder b = request.newBuilder().url(attempt.url());
    for (int i = 0, n = attempt.removedCount(); i < n; i++) {
      b.removeHeader(attempt.removedName(i));
    }
    for (int i = 0, n = attempt.headerCount(); i < n; i++) {
      b.header(attempt.headerName(i), attempt.headerValue(i));
    }
    String host = attempt.hostHeader();
    if (host != null) {
      b.header("Host", host);
    }
    Interceptor.Chain c = chain;
    long timeout = attempt.timeoutNanos();
    if (timeout > 0) {
      int ms = (int) Math.max(1L, Math.min(Integer.MAX_VALUE, timeout / 1_000_000L));
      c = c.withConnectTimeout(ms, TimeUnit.MILLISECONDS)
          .withReadTimeout(ms, TimeUnit.MILLISECONDS)
          .withWriteTimeout(ms, TimeUnit.MILLISECONDS);
    }
    return c.proceed(b.build());
  }

  @Override
  public int status(Response response) {
    return response.code();
  }

  @Override
  public @Nullable String responseHeader(Response response, String name) {
    return response.header(name);
  }

  @Override
  public void discard(Response response) {
    try {
      response.close();
    } catch (RuntimeException e) {
      // closing a response we drop must not fail the retry
    }
  }

  @Override
  public Response track(Response response, BodyCompletion completion) {
    ResponseBody body = response.body();
    if (body.contentLength() == 0) {
      completion.bodyComplete();
      return response;
    }
    return response.newBuilder().body(new TrackedResponseBody(body, completion)).build();
  }
}
