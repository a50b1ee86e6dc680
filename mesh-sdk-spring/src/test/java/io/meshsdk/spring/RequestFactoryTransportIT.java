package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.core.Mesh;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.observation.ClientRequestObservationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * The request-factory transport (ADR 0025) tried as a hostile environment would, against a real loopback server
 * that records what it received: large and streamed bodies resent whole, headers never written back, URLs as a bare
 * client sends them, resets mid-body, deadlines, the guard, wiring (groups, builders of the application's own,
 * MockRestServiceServer), many threads through one factory.
 */
class RequestFactoryTransportIT {

  /** One request the capture server saw. */
  @SuppressWarnings("ArrayRecordComponent")
  record Seen(String method, Map<String, List<String>> headers, byte[] body) {
    String h(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : String.join(",", v);
    }
  }

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<String> rawUris = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile IntUnaryOperator status = n -> 200;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", ex -> {
      rawUris.add(ex.getRequestURI().toString());
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      ex.getRequestHeaders().forEach((k, v) -> h.put(k, List.copyOf(v)));
      seen.add(new Seen(ex.getRequestMethod(), h, body));
      int s = status.applyAsInt(calls.incrementAndGet());
      byte[] out = ("len=" + body.length + " " + new String(body, 0, Math.min(body.length, 40), StandardCharsets.UTF_8))
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(s, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ApplicationContextRunner runner(String... more) {
    return new ApplicationContextRunner()
        .withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("spring.application.name=checkout", "mesh.drain-delay=0",
            "mesh.discovery.uri=static:echo=127.0.0.1:" + server.getAddress().getPort(),
            "mesh.services.echo.retry.non-idempotent=true", "mesh.services.echo.outlier.enabled=false")
        .withPropertyValues(more);
  }

  // ---------------------------------------------------------------- bodies

  @Test
  void aLargeBodyIsResentExactlyWithItsLengthOnEveryAttempt_jdkAndSimple() {
    byte[] big = new byte[5 * 1024 * 1024 + 7];
    new Random(1).nextBytes(big);
    for (String factory : List.of("jdk", "simple")) {
      seen.clear();
      calls.set(0);
      status = n -> n == 1 ? 503 : 200;
      runner("spring.http.clients.imperative.factory=" + factory).run(ctx -> {
        String r = ctx.getBean(RestClient.Builder.class).build().post().uri("http://echo/big").body(big)
            .retrieve().body(String.class);
        assertThat(r).startsWith("len=" + big.length);
        assertThat(seen).hasSize(2);
        for (Seen s : seen) {
          assertThat(s.body()).as(factory).isEqualTo(big);
          assertThat(s.h("Content-Length")).as(factory).isEqualTo(String.valueOf(big.length));
        }
      });
    }
  }

  @Test
  void aStreamingBodyIsBufferedAndResent() {
    status = n -> n == 1 ? 503 : 200;
    AtomicInteger writes = new AtomicInteger();
    runner().run(ctx -> {
      String r = ctx.getBean(RestClient.Builder.class).build().put().uri("http://echo/s")
          .body(out -> {
            writes.incrementAndGet();
            out.write("streamed".getBytes(StandardCharsets.UTF_8));
          })
          .retrieve().body(String.class);
      assertThat(r).isEqualTo("len=8 streamed");
      assertThat(seen).extracting(s -> new String(s.body(), StandardCharsets.UTF_8)).containsExactly("streamed",
          "streamed");
      assertThat(writes).as("the app's Body is written once").hasValue(1);
    });
  }

  /** An empty body: what a bare client of the same factory sends, the mesh should send too. */
  @Test
  void anEmptyPostSendsTheSameContentLengthAsABareClient_simple() {
    runner("spring.http.clients.imperative.factory=simple").run(ctx -> {
      RestClient bare = RestClient.builder().requestFactory(new SimpleClientHttpRequestFactory()).build();
      bare.post().uri("http://127.0.0.1:" + server.getAddress().getPort() + "/bare").body("").retrieve()
          .toBodilessEntity();
      ctx.getBean(RestClient.Builder.class).build().post().uri("http://echo/mesh").body("").retrieve()
          .toBodilessEntity();
      assertThat(seen).hasSize(2);
      assertThat(seen.get(1).h("Content-Length")).as("mesh vs bare").isEqualTo(seen.get(0).h("Content-Length"));
    });
  }

  // ---------------------------------------------------------------- headers

  @Test
  void headersMultiValuedMeshOwnedAndNeverMutated() {
    status = n -> n == 1 ? 503 : 200;
    List<HttpHeaders> appHeaders = new ArrayList<>();
    runner().run(ctx -> {
      RestClient rest = ctx.getBean(RestClient.Builder.class)
          .requestInitializer(req -> appHeaders.add(req.getHeaders()))
          .build();
      rest.get().uri("http://echo/h")
          .header("X-Multi", "a", "b")
          .header("x-mesh-caller", "forged")
          .header("X-Mesh-Caller", "forged-too")
          .retrieve().body(String.class);
      assertThat(seen).hasSize(2);
      for (Seen s : seen) {
        assertThat(s.headers().get("X-Multi")).containsExactly("a", "b");
        assertThat(s.headers().get("x-mesh-caller")).containsExactly("checkout");
      }
      HttpHeaders app = appHeaders.get(0);
      assertThat(app.get("x-mesh-caller")).containsExactly("forged", "forged-too");
      assertThat(app.headerNames()).noneMatch(n -> n.equalsIgnoreCase("traceparent") || n.equalsIgnoreCase("host"));
    });
  }

  // ---------------------------------------------------------------- observation

  @Test
  void oneObservationPerLogicalCallWithTheUriTemplate() {
    status = n -> n == 1 ? 503 : 200;
    List<ClientRequestObservationContext> contexts = new CopyOnWriteArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context c) {
        return c instanceof ClientRequestObservationContext;
      }

      @Override
      public void onStop(Observation.Context c) {
        contexts.add((ClientRequestObservationContext) c);
      }
    });
    runner().run(ctx -> {
      RestClient rest = ctx.getBean(RestClient.Builder.class).observationRegistry(registry).build();
      assertThat(rest.get().uri("http://echo/items/{id}", 7).retrieve().body(String.class)).startsWith("len=0");
      assertThat(seen).hasSize(2);
      assertThat(contexts).hasSize(1);
      assertThat(contexts.get(0).getUriTemplate()).isEqualTo("http://echo/items/{id}");
      assertThat(contexts.get(0).getResponse().getStatusCode().value()).isEqualTo(200);
    });
  }

  // ---------------------------------------------------------------- response failures

  @Test
  void aResetMidBodyFailsTheReadAndLeavesNoInterrupt() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = ss.accept()) {
          s.getInputStream().read(new byte[8192]);
          OutputStream o = s.getOutputStream();
          o.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial".getBytes(StandardCharsets.UTF_8));
          o.flush();
          s.setSoLinger(true, 0);
        } catch (IOException e) {
          // done
        }
      });
      t.start();
      new ApplicationContextRunner()
          .withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0", "mesh.discovery.uri=static:cut=127.0.0.1:" + ss.getLocalPort(),
              "mesh.services.cut.retry.enabled=false", "mesh.services.cut.timeout.call=3s")
          .run(ctx -> {
            RestClient rest = ctx.getBean(RestClient.Builder.class).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> rest.get().uri("http://cut/x").retrieve().body(String.class))
                .isInstanceOf(Exception.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_500);
            assertThat(Thread.interrupted()).isFalse();
          });
      t.join(5_000);
    }
  }

  // ---------------------------------------------------------------- guard

  @Test
  void guardMutateAndRestTemplateReplacedFactoriesAreRefused() {
    runner().run(ctx -> {
      RestClient base = ctx.getBean(RestClient.Builder.class).build();
      RestClient mutated = base.mutate().requestFactory(new SimpleClientHttpRequestFactory()).build();
      assertThatThrownBy(() -> mutated.get().uri("http://echo/m").retrieve().body(String.class))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("SimpleClientHttpRequest");
      RestTemplate template = ctx.getBean(RestTemplateBuilder.class).build();
      template.setRequestFactory(new JdkClientHttpRequestFactory());
      assertThatThrownBy(() -> template.getForObject("http://echo/t", String.class))
          .isInstanceOf(IllegalStateException.class);
      assertThat(seen).isEmpty();
    });
  }

  // ---------------------------------------------------------------- wiring

  /** An application's own builder bean, declared with its concrete type, as Boot's docs show. */
  @Configuration(proxyBeanMethods = false)
  static class OwnJdkBuilder {
    @Bean
    JdkClientHttpRequestFactoryBuilder jdkBuilder() {
      return ClientHttpRequestFactoryBuilder.jdk();
    }

    @Bean
    String usesIt(JdkClientHttpRequestFactoryBuilder b) {
      return "ok";
    }
  }

  @Test
  void aBuilderBeanOfAConcreteTypeKeepsItsTypeAndItsMeshCallsAreRefused() {
    runner().withUserConfiguration(OwnJdkBuilder.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(JdkClientHttpRequestFactoryBuilder.class)).isNotNull();
      RestClient rest = ctx.getBean(RestClient.Builder.class).build();
      assertThatThrownBy(() -> rest.get().uri("http://echo/own").retrieve().body(String.class))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("declared as ClientHttpRequestFactoryBuilder<?>");
      assertThat(seen).as("nothing sent").isEmpty();
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBuilderAsTheInterface {
    @Bean
    ClientHttpRequestFactoryBuilder<?> jdkBuilder() {
      return ClientHttpRequestFactoryBuilder.jdk();
    }
  }

  @Test
  void aBuilderBeanDeclaredAsTheInterfaceIsGoverned() {
    runner().withUserConfiguration(OwnBuilderAsTheInterface.class).run(ctx -> {
      assertThat(ctx.getBean(RestClient.Builder.class).build().get().uri("http://echo/own").retrieve()
          .body(String.class)).startsWith("len=0");
      assertThat(seen.get(0).h("x-mesh-caller")).isEqualTo("checkout");
    });
  }

  /** An HTTP interface. */
  interface Echo {
    @GetExchange("/slow")
    String slow();
  }

  @Configuration(proxyBeanMethods = false)
  @ImportHttpServices(group = "echo", types = Echo.class)
  static class Services {}

  @Test
  void aGroupsOwnReadTimeoutIsKept() {
    runner("spring.http.serviceclient.echo.base-url=http://echo", "spring.http.serviceclient.echo.read-timeout=300ms",
        "mesh.services.echo.retry.enabled=false", "mesh.services.echo.timeout.call=20s")
        .withConfiguration(AutoConfigurations.of(HttpServiceClientPropertiesAutoConfiguration.class,
            HttpServiceClientAutoConfiguration.class))
        .withUserConfiguration(Services.class)
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          CountDownGate gate = new CountDownGate();
          status = n -> gate.hang();
          long start = System.nanoTime();
          assertThatThrownBy(() -> ctx.getBean(Echo.class).slow()).isInstanceOf(Exception.class);
          gate.release();
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
          assertThat(seen.get(0).h("x-mesh-caller")).isNotNull();
        });
  }

  /** Hangs the server thread until released. */
  static final class CountDownGate {
    private final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);

    int hang() {
      try {
        latch.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 200;
    }

    void release() {
      latch.countDown();
    }
  }

  @Test
  void wrappingIsIdempotentEverywhere() {
    runner().run(ctx -> {
      Mesh mesh = ctx.getBean(Mesh.class);
      ClientHttpRequestInterceptor counting = (req, body, ex) -> ex.execute(req, body);
      RestTemplate t = ctx.getBean(RestTemplateBuilder.class).additionalInterceptors(counting)
          .additionalCustomizers(ctx.getBean("meshRestTemplateCustomizer",
              org.springframework.boot.restclient.RestTemplateCustomizer.class))
          .build();
      t.getForObject("http://echo/once", String.class);
      RestClient twice = ctx.getBean(RestClient.Builder.class).requestFactory(MeshClientHttpRequestFactory.wrap(mesh,
          MeshClientHttpRequestFactory.wrap(mesh, new JdkClientHttpRequestFactory()))).build();
      twice.get().uri("http://echo/twice").retrieve().body(String.class);
      RestClient fromTemplate = RestClient.builder(t).build();
      fromTemplate.get().uri("http://echo/fromTemplate").retrieve().body(String.class);
      assertThat(seen).hasSize(3);
      for (Seen s : seen) {
        assertThat(s.headers().get("x-mesh-caller")).containsExactly("checkout");
      }
    });
  }

  // ---------------------------------------------------------------- threads

  @Test
  void manyThreadsThroughOneFactory() {
    runner().run(ctx -> {
      RestClient rest = ctx.getBean(RestClient.Builder.class).build();
      ExecutorService pool = Executors.newFixedThreadPool(12);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
          int n = i;
          results.add(pool.submit(() -> {
            String body = "body-" + n + "-" + "x".repeat(n % 50);
            String r = rest.post().uri("http://echo/p/" + (n % 100)).body(body).retrieve().body(String.class);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            return r.equals("len=" + b.length + " " + new String(Arrays.copyOf(b, Math.min(b.length, 40)),
                StandardCharsets.UTF_8));
          }));
        }
        for (Future<Boolean> f : results) {
          assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    });
  }

  @Test
  void aBodilessPostSendsWhatABareClientSends() {
    for (String factory : List.of("jdk", "simple")) {
      seen.clear();
      runner("spring.http.clients.imperative.factory=" + factory).run(ctx -> {
        RestClient bare = RestClient.builder().requestFactory(
            factory.equals("jdk") ? new JdkClientHttpRequestFactory() : new SimpleClientHttpRequestFactory()).build();
        bare.post().uri("http://127.0.0.1:" + server.getAddress().getPort() + "/bare").retrieve().toBodilessEntity();
        ctx.getBean(RestClient.Builder.class).build().post().uri("http://echo/mesh").retrieve().toBodilessEntity();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).h("Content-Length")).as(factory).isEqualTo(seen.get(0).h("Content-Length"));
        assertThat(seen.get(1).h("Transfer-Encoding")).as(factory).isEqualTo(seen.get(0).h("Transfer-Encoding"));
      });
    }
  }

  /**
   * {@code HttpURLConnection} does not abort on the interrupt the deadline sends: with the {@code simple} factory a
   * hanging attempt is bounded by the factory's read timeout, as the README says to set.
   */
  @Test
  void withTheSimpleFactoryTheReadTimeoutBoundsAHangingAttempt() {
    CountDownGate gate = new CountDownGate();
    status = n -> gate.hang();
    runner("spring.http.clients.imperative.factory=simple", "spring.http.clients.read-timeout=300ms",
        "mesh.services.echo.timeout.call=300ms",
        "mesh.services.echo.retry.enabled=false").run(ctx -> {
          RestClient rest = ctx.getBean(RestClient.Builder.class).build();
          long start = System.nanoTime();
          assertThatThrownBy(() -> rest.get().uri("http://echo/slow").retrieve().body(String.class))
              .isInstanceOf(Exception.class);
          gate.release();
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
          assertThat(Thread.interrupted()).isFalse();
        });
  }

  @Test
  void aServiceNameWithAnUnderscoreIsGoverned() {
    new ApplicationContextRunner()
        .withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("spring.application.name=checkout", "mesh.drain-delay=0",
            "mesh.discovery.uri=static:order_service=127.0.0.1:" + server.getAddress().getPort())
        .run(ctx -> {
          assertThat(ctx.getBean(Mesh.class).isMeshHost("order_service")).isTrue();
          RestClient rest = ctx.getBean(RestClient.Builder.class).build();
          assertThat(rest.get().uri("http://order_service/x").retrieve().body(String.class)).startsWith("len=0");
          assertThat(seen.get(0).h("x-mesh-caller")).isEqualTo("checkout");
        });
  }

  @Test
  void withoutTheMeshNoBuilderIsWrapped() {
    runner("mesh.enabled=false").run(ctx -> assertThat(ctx.getBean(ClientHttpRequestFactoryBuilder.class))
        .isNotInstanceOf(MeshRequestFactoryBuilders.Governed.class));
    new ApplicationContextRunner().withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
        .run(ctx -> assertThat(ctx.getBean(ClientHttpRequestFactoryBuilder.class))
            .isNotInstanceOf(MeshRequestFactoryBuilders.Governed.class));
  }

  /** A body that stops after two of its 100 bytes: the call's deadline ends the read (JDK factory). */
  @Test
  void theDeadlineCutsASlowBody() throws Exception {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = ss.accept()) {
          s.getInputStream().read(new byte[8192]);
          OutputStream o = s.getOutputStream();
          o.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab".getBytes(StandardCharsets.UTF_8));
          o.flush();
          done.await(10, TimeUnit.SECONDS); // the rest of the body never comes while the client waits
        } catch (IOException | InterruptedException e) {
          // done
        }
      });
      t.start();
      new ApplicationContextRunner()
          .withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0", "mesh.discovery.uri=static:cut=127.0.0.1:" + ss.getLocalPort(),
              "mesh.services.cut.retry.enabled=false", "mesh.services.cut.timeout.call=500ms",
              "spring.http.clients.imperative.factory=jdk")
          .run(ctx -> {
            RestClient rest = ctx.getBean(RestClient.Builder.class).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> rest.get().uri("http://cut/x").retrieve().body(String.class))
                .isInstanceOf(Exception.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
            assertThat(Thread.interrupted()).isFalse();
          });
      done.countDown();
      t.join(10_000);
    }
  }

  /** An interceptor with an order, recording when it ran. */
  record Ordered(int order, String name, List<String> log)
      implements ClientHttpRequestInterceptor, org.springframework.core.Ordered {
    @Override
    public org.springframework.http.client.ClientHttpResponse intercept(org.springframework.http.HttpRequest req,
        byte[] body, org.springframework.http.client.ClientHttpRequestExecution ex) throws IOException {
      log.add(name);
      return ex.execute(req, body);
    }

    @Override
    public int getOrder() {
      return order;
    }
  }

  @Test
  void restTemplateInterceptorsKeepTheOrderTheApplicationGave() {
    List<String> withMesh = new CopyOnWriteArrayList<>();
    List<String> without = new CopyOnWriteArrayList<>();
    runner().run(ctx -> {
      ctx.getBean(RestTemplateBuilder.class)
          .interceptors(new Ordered(2, "auth", withMesh), new Ordered(1, "log", withMesh)).build()
          .getForObject("http://echo/o", String.class);
    });
    runner("mesh.enabled=false").run(ctx -> {
      ctx.getBean(RestTemplateBuilder.class)
          .interceptors(new Ordered(2, "auth", without), new Ordered(1, "log", without)).build()
          .getForObject("http://127.0.0.1:" + server.getAddress().getPort() + "/o", String.class);
    });
    assertThat(withMesh).isEqualTo(without);
  }

  @Test
  void trickyUrlsReachTheBackendAsABareClientSendsThem() {
    List<String> paths = List.of("/a%2Fb/c", "/p;m=1/q", "/x+y/%20z", "/s?q=a%20b&r=a+b&t=%7C&u=%26", "/e?x=%E2%82%AC",
        "/u?q=%41%42", "/v?%5B0%5D=1", "/w?a=1&&b=2&", "/z#frag");
    runner().run(ctx -> {
      RestClient mesh = ctx.getBean(RestClient.Builder.class).build();
      RestClient bare = RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()).build();
      for (String p : paths) {
        rawUris.clear();
        bare.get().uri(java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + p)).retrieve()
            .toBodilessEntity();
        mesh.get().uri(java.net.URI.create("http://echo" + p)).retrieve().toBodilessEntity();
        assertThat(rawUris).hasSize(2);
        assertThat(rawUris.get(1)).as(p).isEqualTo(rawUris.get(0));
      }
    });
  }

  @Test
  void anApplicationWithoutBootsHttpClientModuleStarts() {
    for (String hidden : List.of("org.springframework.boot.http.client", "org.springframework.boot.restclient",
        "org.springframework.web.client", "org.springframework.http.client")) {
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0", "mesh.discovery.uri=static:echo=127.0.0.1:1")
          .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(hidden))
          .run(ctx -> assertThat(ctx).as(hidden).hasNotFailed().hasSingleBean(Mesh.class));
    }
  }

  @Test
  void theApplicationsOwnInterruptIsKept() {
    runner().run(ctx -> {
      RestClient rest = ctx.getBean(RestClient.Builder.class).build();
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> rest.get().uri("http://echo/i").retrieve().body(String.class))
            .isInstanceOf(Exception.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the application's interrupt").isTrue();
      } finally {
        Thread.interrupted();
      }
    });
  }

  @Test
  void mockRestServiceServerOnBootsBuilderAnswersTheLogicalUrl() {
    runner().run(ctx -> {
      RestClient.Builder builder = ctx.getBean(RestClient.Builder.class);
      org.springframework.test.web.client.MockRestServiceServer mock =
          org.springframework.test.web.client.MockRestServiceServer.bindTo(builder).build();
      mock.expect(org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo("http://echo/items/1"))
          .andRespond(org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess("mocked",
              org.springframework.http.MediaType.TEXT_PLAIN));
      assertThat(builder.build().get().uri("http://echo/items/1").retrieve().body(String.class)).isEqualTo("mocked");
      mock.verify();
    });
  }

  /** {@code @RestClientTest}'s order: the mock's factory on the template first, then the mesh's customizer. */
  @Test
  void aRestTemplatesMockServerFactoryIsNotWrapped() {
    runner().run(ctx -> {
      RestTemplate template = new RestTemplate();
      org.springframework.test.web.client.MockRestServiceServer mock =
          org.springframework.test.web.client.MockRestServiceServer.bindTo(template).build();
      ctx.getBean("meshRestTemplateCustomizer", org.springframework.boot.restclient.RestTemplateCustomizer.class)
          .customize(template);
      mock.expect(org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo("http://echo/items/2"))
          .andRespond(org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess("mocked",
              org.springframework.http.MediaType.TEXT_PLAIN));
      assertThat(template.getForObject("http://echo/items/2", String.class)).isEqualTo("mocked");
      mock.verify();
      assertThat(seen).isEmpty();
    });
  }

  @Test
  void anUpperCaseMeshHostIsGoverned() {
    runner().run(ctx -> {
      RestClient rest = ctx.getBean(RestClient.Builder.class).build();
      assertThat(rest.get().uri("http://Echo/x").retrieve().body(String.class)).startsWith("len=0");
      assertThat(seen.get(0).h("x-mesh-caller")).isEqualTo("checkout");
    });
  }
}
