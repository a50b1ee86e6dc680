package io.meshsdk.tracing;

import okhttp3.HttpUrl;

/** {@code url.full} without secrets: user info and signature query values become {@code REDACTED}. */
final class UrlRedactor {

  static final String REDACTED = "REDACTED";
  /** Query keys the HTTP semantic conventions name as carrying secrets. */
  private static final String[] SENSITIVE_QUERY = {"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"};

  private UrlRedactor() {}

  static String redact(HttpUrl url) {
    boolean userInfo = !url.username().isEmpty() || !url.password().isEmpty();
    boolean query = false;
    if (url.querySize() > 0) {
      for (String key : SENSITIVE_QUERY) {
        if (url.queryParameter(key) != null) {
          query = true;
          break;
        }
      }
    }
    if (!userInfo && !query) {
      return url.toString();
    }
    HttpUrl.Builder b = url.newBuilder();
    if (userInfo) {
      b.username(url.username().isEmpty() ? "" : REDACTED);
      b.password(url.password().isEmpty() ? "" : REDACTED);
    }
    if (query) {
      for (String key : SENSITIVE_QUERY) {
        if (url.queryParameter(key) != null) {
          b.setQueryParameter(key, REDACTED);
        }
      }
    }
    return b.build().toString();
  }
}
