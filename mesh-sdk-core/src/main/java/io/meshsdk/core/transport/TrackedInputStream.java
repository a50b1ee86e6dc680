package io.meshsdk.core.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A body stream that tells its {@link BodyCompletion} how reading ended: see {@link BodyCompletion#track}. */
final class TrackedInputStream extends FilterInputStream {
  private final BodyCompletion completion;

  TrackedInputStream(InputStream in, BodyCompletion completion) {
    super(in);
    this.completion = completion;
  }

  @Override
  public int read() throws IOException {
    int r;
    try {
      r = super.read();
    } catch (IOException e) {
      throw completion.bodyFailed(e);
    }
    if (r < 0) {
      completion.bodyComplete();
    }
    return r;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int r;
    try {
      r = super.read(b, off, len);
    } catch (IOException e) {
      throw completion.bodyFailed(e);
    }
    if (r < 0) {
      completion.bodyComplete();
    }
    return r;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      completion.bodyComplete();
    }
  }
}
