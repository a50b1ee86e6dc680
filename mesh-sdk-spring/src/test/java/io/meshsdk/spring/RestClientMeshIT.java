package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.core.Mesh;
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
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
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
        .withConfiguration(BOOT_CLIENTS)
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("spring.application.name=checkout", "mesh.drain-delay=0",
            "mesh.discovery.uri=static:inventory=127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port())
        .withPropertyValues(more);
  }

  /** The mesh and Boot's own client auto-configuration: Boot's {@code RestClient.Builder}, as applications get it. */
  static final AutoConfigurations BOOT_CLIENTS = AutoConfigurations.of(MeshAutoConfiguration.class,
      HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
      RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class);

  private static RestClient restClient(org.springframework.context.ApplicationContext ctx) {
    return ctx.getBean(RestClient.Builder.class).build();
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
  void aFactorySetAfterBootConfiguredTheBuilderIsRefusedUnlessWrapped() {
    runner().run(ctx -> {
      RestClient replaced = ctx.getBean(RestClient.Builder.class)
          .requestFactory(new JdkClientHttpRequestFactory()).build();
      assertThatThrownBy(() -> replaced.get().uri("http://inventory/items/1").retrieve().body(String.class))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("mesh service 'inventory'")
          .hasMessageContaining("JdkClientHttpRequest")
          .hasMessageContaining("MeshClientHttpRequestFactory.wrap(mesh, yourFactory)");
      assertThat(a.requests() + b.requests()).as("nothing was sent").isZero();
      assertThat(replaced.get().uri(b.baseUrl() + "/plain").retrieve().body(String.class))
          .as("other hosts are not the mesh's business").isEqualTo("b GET /plain\n");

      RestClient wrapped = ctx.getBean(RestClient.Builder.class)
          .requestFactory(MeshClientHttpRequestFactory.wrap(ctx.getBean(Mesh.class), new JdkClientHttpRequestFactory()))
          .build();
      assertThat(wrapped.get().uri("http://inventory/items/2").retrieve().body(String.class))
          .matches("[ab] GET /items/2\n");
      assertThat(b.lastHeader("x-mesh-caller") != null || a.lastHeader("x-mesh-caller") != null).isTrue();
    });
  }

  @Test
  void anApplicationInterceptorRunsOncePerCallWhileTheMeshRetriesUnderIt() {
    runner().run(ctx -> {
      AtomicInteger intercepted = new AtomicInteger();
      RestClient rest = ctx.getBean(RestClient.Builder.class)
          .requestInterceptor((request, body, execution) -> {
            intercepted.incrementAndGet();
            request.getHeaders().set("X-App", "1");
            return execution.execute(request, body);
          })
          .build();
      a.mode(LoopbackBackend.failing(503));
      for (int i = 0; i < 10; i++) {
        assertThat(rest.get().uri("http://inventory/r").retrieve().body(String.class)).isEqualTo("b GET /r\n");
      }
      assertThat(a.errors()).as("503s from a, each retried on b").isPositive();
      assertThat(intercepted).as("once per logical call, not per attempt").hasValue(10);
      assertThat(b.lastHeader("X-App")).isEqualTo("1");
      assertThat(b.lastHeader("x-mesh-caller")).isEqualTo("checkout");
    });
  }

  @Test
  void bufferedContentAndRestTemplateBuilderFactoriesStayGoverned() {
    runner().run(ctx -> {
      b.mode(LoopbackBackend.failing(503));
      RestClient buffered = ctx.getBean(RestClient.Builder.class).bufferContent((uri, method) -> true).build();
      assertThat(buffered.get().uri("http://inventory/buffered").retrieve().body(String.class))
          .isEqualTo("a GET /buffered\n");

      RestTemplate template = ctx.getBean(RestTemplateBuilder.class)
          .requestFactory(SimpleClientHttpRequestFactory.class).build();
      for (int i = 0; i < 5; i++) {
        assertThat(template.getForObject("http://inventory/rt", String.class)).isEqualTo("a GET /rt\n");
      }
      assertThat(a.lastHeader("x-mesh-caller")).isEqualTo("checkout");
    });
  }

  @Test
  void aReactiveApplicationsRestClientIsGovernedToo() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(BOOT_CLIENTS)
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("spring.application.name=checkout", "mesh.drain-delay=0",
            "mesh.discovery.uri=static:inventory=127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port())
        .run(ctx -> {
          RestClient rest = ctx.getBean(RestClient.Builder.class).build();
          b.mode(LoopbackBackend.failing(503));
          for (int i = 0; i < 5; i++) {
            assertThat(rest.get().uri("http://inventory/x").retrieve().body(String.class)).isEqualTo("a GET /x\n");
          }
          assertThat(a.lastHeader("x-mesh-caller")).isEqualTo("checkout");
        });
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
          .withConfiguration(BOOT_CLIENTS)
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
