package io.meshsdk.core.internal.okhttp;

import io.meshsdk.core.transport.BodyCompletion;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A response body that tells the engine how reading it ended: at its end or when closed (the call succeeded as
 * its status says), or with an exception (a reset, a truncated body, the deadline: the call failed after all; the
 * engine's exception, e.g. the deadline's, is thrown to the reader).
 */
final class TrackedResponseBody extends ResponseBody {

  private final ResponseBody delegate;
  private final BodyCompletion completion;
  private @Nullable BufferedSource source;

  TrackedResponseBody(ResponseBody delegate, BodyCompletion completion) {
    this.delegate = delegate;
    this.completion = completion;
  }

  @Override
  public @Nullable MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    BufferedSource s = source;
    if (s == null) {
      s = Okio.buffer(new ForwardingSource(delegate.source()) {
        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
          long read;
          try {
            read = super.read(sink, byteCount);
          } catch (IOException e) {
            throw completion.bodyFailed(e);
          }
          if (read == -1) {
            completion.bodyComplete();
          }
          return read;
        }

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            completion.bodyComplete();
          }
        }
      });
      source = s;
    }
    return s;
  }
}
