package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.testing.LoopbackBackend;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * The Spring transport against real loopback HTTP servers: RestClient and RestTemplate calls to a mesh host are
 * governed (balanced, retried to another endpoint, caller header, deadline), a byte-array body is resent on a retry,
 * and other hosts pass through untouched.
 */
class RestClientMeshIT {

  private LoopbackBackend a;
  private LoopbackBackend b;

  @BeforeEach
  void start() {
    a = LoopbackBackend.start("a");
    b = LoopbackBackend.start("b");
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  private ApplicationContextRunner runner(String... more) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("spring.application.name=checkout", "mesh.drain-delay=0",
            "mesh.discovery.uri=static:inventory=127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port())
        .withPropertyValues(more);
  }

  private static RestClient restClient(org.springframework.context.ApplicationContext ctx) {
    RestClient.Builder builder = RestClient.builder();
    ctx.getBean("meshRestClientCustomizer", RestClientCustomizer.class).customize(builder);
    return builder.build();
  }

  @Test
  void restClientCallsAreBalancedAndRetriedOnAnotherEndpoint() {
    runner().run(ctx -> {
      RestClient rest = restClient(ctx);
      for (int i = 0; i < 10; i++) {
        assertThat(rest.get().uri("http://inventory/items/" + i).retrieve().body(String.class))
            .matches("[ab] GET /items/" + i + "\n");
      }
      assertThat(a.requests()).isPositive();
      assertThat(b.requests()).isPositive();
      assertThat(b.lastHeader("x-mesh-caller")).isEqualTo("checkout");

      a.mode(LoopbackBackend.failing(503));
      for (int i = 0; i < 20; i++) {
        assertThat(rest.get().uri("http://inventory/x").retrieve().body(String.class)).isEqualTo("b GET /x\n");
      }
      assertThat(a.errors()).as("503s answered by a, each retried on b").isPositive();
    });
  }

  @Test
  void restTemplateCallsAreGovernedToo() {
    runner().run(ctx -> {
      RestTemplate template = new RestTemplate();
      ctx.getBean("meshRestTemplateCustomizer", RestTemplateCustomizer.class).customize(template);
      b.mode(LoopbackBackend.failing(503));
      for (int i = 0; i < 10; i++) {
        assertThat(template.getForObject("http://inventory/t", String.class)).isEqualTo("a GET /t\n");
      }
    });
  }

  @Test
  void otherHostsPassThroughUntouched() {
    runner().run(ctx -> {
      RestClient rest = restClient(ctx);
      assertThat(rest.get().uri(b.baseUrl() + "/plain").retrieve().body(String.class)).isEqualTo("b GET /plain\n");
      assertThat(b.lastHeader("x-mesh-caller")).isNull();
      assertThat(a.requests()).isZero();
    });
  }

  @Test
  void theCallDeadlineCancelsAHangingAttempt() {
    runner("mesh.services.inventory.timeout.call=300ms", "mesh.services.inventory.retry.enabled=false").run(ctx -> {
      a.mode(LoopbackBackend.hang());
      b.mode(LoopbackBackend.hang());
      RestClient rest = restClient(ctx);
      long start = System.nanoTime();
      assertThatThrownBy(() -> rest.get().uri("http://inventory/slow").retrieve().body(String.class))
          .isInstanceOf(Exception.class);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
      assertThat(Thread.currentThread().isInterrupted()).as("the cancel's interrupt is cleared").isFalse();
    });
    a.mode(LoopbackBackend.healthy());
    b.mode(LoopbackBackend.healthy());
  }

  @Test
  void aBodyIsSentWholeOnEveryAttempt() throws Exception {
    HttpServer echo = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger calls = new AtomicInteger();
    List<String> bodies = new CopyOnWriteArrayList<>();
    echo.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      bodies.add(body);
      byte[] out = ("got " + body).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 200, out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    echo.start();
    try {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0",
              "mesh.discovery.uri=static:echo=127.0.0.1:" + echo.getAddress().getPort(),
              "mesh.services.echo.retry.non-idempotent=true", "mesh.services.echo.outlier.enabled=false")
          .run(ctx -> {
            String r = restClient(ctx).post().uri("http://echo/orders").body("order-42").retrieve().body(String.class);
            assertThat(r).isEqualTo("got order-42");
            assertThat(bodies).containsExactly("order-42", "order-42");
          });
    } finally {
      echo.stop(0);
    }
  }
}
