package io.meshsdk.core.internal.engine;

import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.TransportCall;
import java.util.Arrays;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The attempt being sent: target URL, {@code Host} override, timeout, and the headers the mesh (and its observers,
 * through {@link OutboundHeaders}) set or remove. One instance per call, reset for each attempt; used on the
 * caller's thread only. Reading a header answers from what was set here, else from the application's request.
 */
final class Attempt implements AttemptRequest, OutboundHeaders {

  private final TransportCall<?> call;
  private HttpUrl url;
  private @Nullable String hostHeader;
  private long timeoutNanos;
  private @Nullable TrackedEndpoint endpoint;
  private String[] names = new String[6];
  private String[] values = new String[6];
  private int count;
  private String[] removed = new String[4];
  private int removedCount;

  Attempt(TransportCall<?> call, HttpUrl url) {
    this.call = call;
    this.url = url;
  }

  /** Starts a new attempt to {@code url} ({@code endpoint} null for the sidecar). */
  void reset(HttpUrl url, @Nullable TrackedEndpoint endpoint, @Nullable String hostHeader, long timeoutNanos) {
    this.url = url;
    this.endpoint = endpoint;
    this.hostHeader = hostHeader;
    this.timeoutNanos = timeoutNanos;
    this.count = 0;
    this.removedCount = 0;
  }

  /** The endpoint of this attempt, or {@code null} when it goes to the sidecar. */
  @Nullable TrackedEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public HttpUrl url() {
    return url;
  }

  @Override
  public @Nullable String hostHeader() {
    return hostHeader;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public int headerCount() {
    return count;
  }

  @Override
  public String headerName(int i) {
    return names[i];
  }

  @Override
  public String headerValue(int i) {
    return values[i];
  }

  @Override
  public int removedCount() {
    return removedCount;
  }

  @Override
  public String removedName(int i) {
    return removed[i];
  }

  /** Removes {@code name} from the attempt (a mesh-owned header the application set). */
  void remove(String name) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        System.arraycopy(names, i + 1, names, i, count - i - 1);
        System.arraycopy(values, i + 1, values, i, count - i - 1);
        count--;
        break;
      }
    }
    if (removedCount == removed.length) {
      removed = Arrays.copyOf(removed, removedCount * 2);
    }
    removed[removedCount++] = name;
  }

  @Override
  public @Nullable String get(String name) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        return values[i];
      }
    }
    for (int i = 0; i < removedCount; i++) {
      if (removed[i].equalsIgnoreCase(name)) {
        return null;
      }
    }
    return call.header(name);
  }

  @Override
  public void set(String name, String value) {
    for (int i = 0; i < count; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        values[i] = value;
        return;
      }
    }
    if (count == names.length) {
      names = Arrays.copyOf(names, count * 2);
      values = Arrays.copyOf(values, count * 2);
    }
    names[count] = name;
    values[count] = value;
    count++;
  }
}
