package io.meshsdk.core.internal;

import io.meshsdk.core.observe.OutboundHeaders;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * The {@link OutboundHeaders} an observer sees for one attempt: writes go to the attempt's request builder and
 * into a tiny record of names and values; reads answer from that record, else from the original request. No
 * {@code Request} is built to read a header, and nothing is allocated until something is set. Internal: shared
 * by the direct path and the sidecar route; one instance per observed attempt, used on the caller's thread.
 */
public final class AttemptHeaders implements OutboundHeaders {

  private final Request.Builder builder;
  private final Request original;
  private @Nullable String name0;
  private @Nullable String value0;
  private @Nullable String name1;
  private @Nullable String value1;
  private String @Nullable [] more; // name, value pairs beyond the first two
  private int moreCount;

  /** Headers over {@code builder}, a builder derived from {@code original}. */
  public AttemptHeaders(Request.Builder builder, Request original) {
    this.builder = builder;
    this.original = original;
  }

  /**
   * Records that the engine already set {@code name} to {@code value} on the builder (deadline, caller, marker),
   * so that {@link #get} sees it; does not touch the builder.
   */
  public AttemptHeaders record(String name, String value) {
    if (name0 == null || name0.equalsIgnoreCase(name)) {
      name0 = name;
      value0 = value;
    } else if (name1 == null || name1.equalsIgnoreCase(name)) {
      name1 = name;
      value1 = value;
    } else {
      String[] m = more;
      for (int i = 0; m != null && i < moreCount; i += 2) {
        if (m[i].equalsIgnoreCase(name)) {
          m[i + 1] = value;
          return this;
        }
      }
      if (m == null) {
        m = new String[8];
      } else if (moreCount == m.length) {
        m = java.util.Arrays.copyOf(m, moreCount * 2);
      }
      m[moreCount] = name;
      m[moreCount + 1] = value;
      moreCount += 2;
      more = m;
    }
    return this;
  }

  @Override
  public @Nullable String get(String name) {
    if (name0 == null) {
      return original.header(name);
    }
    if (name0.equalsIgnoreCase(name)) {
      return value0;
    }
    if (name1 != null && name1.equalsIgnoreCase(name)) {
      return value1;
    }
    String[] m = more;
    for (int i = 0; m != null && i < moreCount; i += 2) {
      if (m[i].equalsIgnoreCase(name)) {
        return m[i + 1];
      }
    }
    return original.header(name);
  }

  @Override
  public void set(String name, String value) {
    builder.header(name, value);
    record(name, value);
  }
}
