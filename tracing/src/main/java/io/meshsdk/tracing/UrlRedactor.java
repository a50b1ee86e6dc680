package io.meshsdk.tracing;

import okhttp3.HttpUrl;

/** {@code url.full} without secrets: user info and signature query values become {@code REDACTED}. */
final class UrlRedactor {

  static final String REDACTED = "REDACTED";
  /** Query keys the HTTP semantic conventions name as carrying secrets. */
  private static final String[] SENSITIVE_QUERY = {"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"};

  private UrlRedactor() {}

  private static boolean isSensitive(String name) {
    for (String key : SENSITIVE_QUERY) {
      if (key.equals(name)) {
        return true;
      }
    }
    return false;
  }

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
    if (query) { // rebuild in the original order
      b.query(null);
      for (int i = 0; i < url.querySize(); i++) {
        String name = url.queryParameterName(i);
        b.addQueryParameter(name, isSensitive(name) ? REDACTED : url.queryParameterValue(i));
      }
    }
    return b.build().toString();
  }
}
