package io.meshsdk.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for smaller core defects against a real loopback server (the unit-level ones are in
 * {@code SlowStartInEveryBalancerTest}). The service retries 503 with the defaults ({@code retry.max-attempts} 3,
 * {@code retry.max-backoff} 1 s).
 *
 * <ul>
 *   <li>{@link #aRetryAfterHttpDateBeyondTheMaxBackoffIsNotRetried}: a 503 with {@code Retry-After} as an
 *       RFC 1123 HTTP date one hour ahead is not retried: the caller gets the 503, the backend sees 1 request
 *       (before the fix: retried at once, 3 requests).
 *   <li>{@link #controlARetryAfterInSecondsBeyondTheMaxBackoffIsNotRetried}: control (passed before the fix too): the same
 *       with {@code Retry-After: 3600}.
 * </ul>
 */
class RetryAfterDateIT {

  /** IMF-fixdate (RFC 9110), the preferred RFC 1123 form: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

  private LoopbackBackend backend;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    backend.mode(LoopbackBackend.failing(503));
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory").build())
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    backend.close();
  }

  private int call() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
      return r.code();
    }
  }

  @Test
  void aRetryAfterHttpDateBeyondTheMaxBackoffIsNotRetried() throws IOException {
    String anHourAhead = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
    backend.responseHeaders(Map.of("Retry-After", anHourAhead));
    assertThat(call()).isEqualTo(503);
    assertThat(backend.requests()).as("requests for one call answered 503, Retry-After: %s", anHourAhead)
        .isEqualTo(1);
  }

  @Test
  void controlARetryAfterInSecondsBeyondTheMaxBackoffIsNotRetried() throws IOException {
    backend.responseHeaders(Map.of("Retry-After", "3600"));
    assertThat(call()).isEqualTo(503);
    assertThat(backend.requests()).as("requests for one call answered 503, Retry-After: 3600").isEqualTo(1);
  }
}
