package io.meshsdk.core.transport;

import io.meshsdk.core.common.UnstableApi;
import io.meshsdk.core.observe.RequestHeaders;
import java.io.IOException;
import java.util.function.BiConsumer;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * One logical HTTP call as an HTTP client presents it to the mesh ({@code Mesh.execute}). The engine decides the
 * route, admission, endpoints and retries and calls back here to send each attempt; everything runs on the
 * caller's thread except {@link #cancel()}, which the deadline watchdog may call from its own.
 *
 * <p>The engine calls {@link #send} once per attempt (never concurrently), {@link #discard} for every response it
 * does not return, and {@link #track} for the one it returns.
 *
 * @param <R> the client's response type
 */
@UnstableApi
public interface TransportCall<R> extends RequestHeaders {

  /** The HTTP method, upper case. */
  String method();

  /** The logical URL as the application wrote it ({@code http://inventory/items/42}). */
  HttpUrl url();

  /** The value of request header {@code name} (case-insensitive), or {@code null}. */
  @Nullable String header(String name);

  /**
   * {@link RequestHeaders} view of the application's request, for observers ({@code CallInfo.headers()}): the same
   * as {@link #header}, without a wrapper object per call.
   */
  @Override
  default @Nullable String get(String name) {
    return header(name);
  }

  /**
   * Calls {@code action} with each header of the application's request (name, value; a header with several values
   * once per value), as the request holds them. The mesh uses it to build a shadow copy of the request
   * ({@code route.mode=shadow:N}), on the caller's thread, before the first attempt. The default, for a transport
   * that cannot list its headers, visits only {@code traceparent} and {@code tracestate} (read with
   * {@link #header}); the three transports of the SDK (OkHttp, JDK {@code HttpClient}, Spring) list them all.
   */
  default void forEachHeader(BiConsumer<String, String> action) {
    String traceparent = header("traceparent");
    if (traceparent != null) {
      action.accept("traceparent", traceparent);
    }
    String tracestate = header("tracestate");
    if (tracestate != null) {
      action.accept("tracestate", tracestate);
    }
  }

  /** What the application captured when it created the call ({@code Mesh.callFactory}), or {@code null}. */
  default @Nullable Object callerContext() {
    return null;
  }

  /** Whether the request has a body. */
  boolean hasBody();

  /**
   * Makes every later {@link #send} send the whole body, if it can: a body that is already replayable (a byte
   * array the client holds) says so; a body of known length up to {@code maxBytes} (one-shot or not) is read once
   * into memory and replayed from there; a duplex body, or one of unknown or larger length, is left as is. Called at
   * most once, before the first attempt, only when a retry or a fallback after the body was sent may follow.
   *
   * @return whether every attempt will send the whole body
   */
  boolean prepareReplay(long maxBytes) throws IOException;

  /**
   * Whether a body already sent once (without {@link #prepareReplay}) can be sent again as it is: the client holds
   * it and writes it anew for each send (OkHttp's bodies that are not one-shot or duplex, forms). Asked when an
   * instance refused a request without running it (draining), for a method whose body was not kept. Default: no.
   */
  default boolean canResendAsIs() {
    return false;
  }

  /** Whether the application cancelled the call. */
  boolean isCanceled();

  /**
   * Cancels the exchange in progress, response body included (the call's deadline passed). May be called from
   * another thread; the attempt or the body read then fails with an {@link IOException}.
   */
  void cancel();

  /** Sends the request untouched (the host is not a mesh service). */
  R passThrough() throws IOException;

  /** Sends one attempt as {@code attempt} describes and returns when the response headers arrived. */
  R send(AttemptRequest attempt) throws IOException;

  /** The status code of {@code response}. */
  int status(R response);

  /** The value of response header {@code name}, or {@code null}. */
  @Nullable String responseHeader(R response, String name);

  /** Closes a response the engine will not return (before a retry); never throws. */
  void discard(R response);

  /**
   * The response to return to the application, arranged so that the engine learns how reading its body ends:
   * call {@link BodyCompletion#bodyComplete()} when the body was read to its end or closed, and throw what
   * {@link BodyCompletion#bodyFailed} returns when reading it fails. Not called for a response that cannot have a
   * body (HEAD, 1xx, 204, 304): the engine ends those itself. A body the transport knows to be empty completes at
   * once, on the calling thread, before {@code track} returns; no other thread may see the response before
   * {@code track} returns.
   */
  R track(R response, BodyCompletion completion);
}
