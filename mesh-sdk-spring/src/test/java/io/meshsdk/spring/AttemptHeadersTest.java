package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.transport.AttemptRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class AttemptHeadersTest {

  /** An attempt that sets {@code set} (name, value, name, value, ...) and removes {@code removed}. */
  private static AttemptRequest attempt(List<String> set, List<String> removed) {
    return new AttemptRequest() {
      @Override
      public HttpUrl url() {
        return HttpUrl.get("http://10.0.0.1:8080/");
      }

      @Override
      public @Nullable String hostHeader() {
        return null;
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

  /** What the transport sent before the view: a copy, the removals, then the attempt's headers set. */
  private static HttpHeaders copied(HttpHeaders base, AttemptRequest a, @Nullable String host) {
    HttpHeaders h = new HttpHeaders();
    h.putAll(base);
    for (int i = 0; i < a.removedCount(); i++) {
      h.remove(a.removedName(i));
    }
    for (int i = 0; i < a.headerCount(); i++) {
      h.set(a.headerName(i), a.headerValue(i));
    }
    if (host != null) {
      h.set(HttpHeaders.HOST, host);
    }
    return h;
  }

  /** The headers as a request factory reads them ({@code forEach}), by name regardless of case. */
  private static Map<String, List<String>> read(HttpHeaders h) {
    Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.forEach((name, values) -> {
      assertThat(m).doesNotContainKey(name);
      m.put(name, List.copyOf(values));
    });
    return m;
  }

  @Test
  void readsAsTheCopyDid() {
    HttpHeaders base = application();
    AttemptRequest a = attempt(List.of("x-mesh-caller", "checkout", "x-new", "1"), List.of("x-mesh-deadline"));

    HttpHeaders view = AttemptHeaders.of(base, a, "sidecar.local:15001");
    HttpHeaders expected = copied(base, a, "sidecar.local:15001");

    assertThat(read(view)).isEqualTo(read(expected));
    assertThat(view.size()).isEqualTo(expected.size()).isEqualTo(5);
    assertThat(view.headerNames()).hasSize(5);
    assertThat(view.getFirst("X-MESH-CALLER")).isEqualTo("checkout");
    assertThat(view.get("x-multi")).containsExactly("a", "b");
    assertThat(view.getFirst("host")).isEqualTo("sidecar.local:15001");
    assertThat(view.containsHeader("x-mesh-deadline")).isFalse();
    assertThat(view.get("X-Mesh-Deadline")).isNull();
    assertThat(view.getFirst("X-Mesh-Deadline")).isNull();
    assertThat(view.containsHeader("X-New")).isTrue();
    assertThat(view.isEmpty()).isFalse();
    assertThat(read(base)).isEqualTo(read(application())); // the application's headers are untouched
  }

  @Test
  void countsNamesTheApplicationDidNotHave() {
    HttpHeaders base = new HttpHeaders();
    base.add("Accept", "text/plain");
    AttemptRequest a = attempt(List.of("x-mesh-caller", "checkout"), List.of("x-mesh-deadline", "x-mesh-deadline"));

    HttpHeaders view = AttemptHeaders.of(base, a, null);

    assertThat(view.size()).isEqualTo(2);
    assertThat(read(view)).isEqualTo(read(copied(base, a, null)));
  }

  @Test
  void writesGoToACopy() {
    HttpHeaders base = application();
    AttemptRequest a = attempt(List.of("x-mesh-caller", "checkout"), List.of("x-mesh-deadline"));
    HttpHeaders view = AttemptHeaders.of(base, a, null);

    view.add("X-Multi", "c");
    view.set("X-Later", "2");
    view.add("X-Mesh-Caller", "again");

    assertThat(view.get("x-multi")).containsExactly("a", "b", "c");
    assertThat(view.getFirst("x-later")).isEqualTo("2");
    assertThat(view.get("x-mesh-caller")).containsExactly("checkout", "again");
    assertThat(view.containsHeader("x-mesh-deadline")).isFalse();
    assertThat(view.size()).isEqualTo(4);
    assertThat(read(base)).isEqualTo(read(application()));
  }

  @Test
  void removingThroughTheNamesGoesToACopy() {
    HttpHeaders base = application();
    HttpHeaders view = AttemptHeaders.of(base, attempt(List.of("x-mesh-caller", "checkout"), List.of()), null);

    List<String> seen = new ArrayList<>();
    for (Iterator<String> it = view.headerNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      seen.add(name);
      if (name.equalsIgnoreCase("accept")) {
        it.remove();
      }
    }

    assertThat(seen).hasSize(4);
    assertThat(view.containsHeader("Accept")).isFalse();
    assertThat(view.size()).isEqualTo(3);
    assertThat(base.containsHeader("Accept")).isTrue();
  }

  @Test
  void anAttemptThatChangesNothingSendsTheApplicationsHeaders() {
    HttpHeaders base = application();

    assertThat(AttemptHeaders.of(base, attempt(List.of(), List.of()), null)).isSameAs(base);
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
