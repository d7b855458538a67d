package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.runtime.OutboundGuard;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** POST /v1/streams over HTTP: the outbound guard refuses with 400 naming the address class. */
class StreamRoutesTest {
  private final Vertx vertx = Vertx.vertx();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile int port;

  private void serve(OutboundGuard guard) throws Exception {
    Map<String, Long> accepted = new ConcurrentHashMap<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        Router router = Router.router(vertx);
        StreamRoutes.mount(vertx, router, producer, guard, accepted);
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
            .onSuccess(s -> port = s.actualPort());
      }
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> post(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/streams"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void shouldRefuseLoopbackLinkLocalAndPrivateSourcesWith400NamingTheClass() throws Exception {
    serve(OutboundGuard.of(null));
    for (String[] c : new String[][] {
        {"http://127.0.0.1:8080/live.ts", "is loopback"},
        {"rtsp://localhost/cam", "is loopback"},
        {"http://[::1]:9000/a.m3u8", "is loopback"},
        {"http://169.254.169.254/latest/meta-data/", "is link-local"},
        {"udp://239.0.0.1:1234", "is multicast"},
        {"tcp://0.0.0.0:9000", "is unspecified"},
        {"rtsp://192.168.1.20/stream", "is private"},
        {"srt://100.64.0.9:9000", "is shared (CGNAT)"}}) {
      HttpResponse<String> r = post(c[0]);
      assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
      String error = new JsonObject(r.body()).getString("error");
      assertTrue(error.contains(c[1]), c[0] + ": " + error);
    }
    assertTrue(producer.history().isEmpty(), "nothing queued");
  }

  @Test
  void shouldQueueAnAllowedLoopbackSource() throws Exception {
    serve(OutboundGuard.of("127.0.0.0/8"));
    HttpResponse<String> r = post("http://127.0.0.1:8080/live.ts");
    assertEquals(202, r.statusCode(), r.body());
    assertEquals(2, producer.history().size(), "accepted event and job");
  }
}
