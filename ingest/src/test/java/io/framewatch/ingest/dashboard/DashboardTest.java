package io.framewatch.ingest.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's routes on a real Vert.x server and a real HTTP client; uPlot is fetched from
 * npm into the framewatch cache as the running service would fetch it.
 */
class DashboardTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static Vertx vertx;
  private static String base;

  @BeforeAll
  static void serve() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    Dashboard.mount(router, vertx, ModelStore.fromEnvironment().cacheDir());
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void shouldServeThePageThatLoadsUplotAndTheSharedChartScript() throws Exception {
    HttpResponse<byte[]> page = get("/dashboard/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    String html = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
    for (String ref : new String[] {"vendor/uPlot.iife.min.js", "vendor/uPlot.min.css",
        "video.js", "dashboard.js", "framewatch.css"}) {
      assertTrue(html.contains("\"" + ref + "\""), "the page loads " + ref);
      assertEquals(200, get("/dashboard/" + ref).statusCode(), ref);
    }
    assertEquals(Dashboard.file("video.js"),
        new String(get("/dashboard/video.js").body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void shouldRedirectTheBarePathToTheDashboard() throws Exception {
    HttpResponse<byte[]> r = get("/dashboard");
    assertEquals(302, r.statusCode());
    assertEquals("/dashboard/", r.headers().firstValue("Location").orElse(""));
  }

  @Test
  void shouldServeUplotAsPinnedBySha256() throws Exception {
    HttpResponse<byte[]> js = get("/dashboard/vendor/uPlot.iife.min.js");
    assertEquals(200, js.statusCode());
    assertEquals("19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f",
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(js.body())));
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
  }

  @Test
  void shouldAnswer404ForFilesThatAreNotPartOfTheDashboard() throws Exception {
    assertEquals(404, get("/dashboard/vendor/uPlot.esm.js").statusCode());
    assertEquals(404, get("/dashboard/..%2Fpom.xml").statusCode());
    assertEquals(404, get("/dashboard/missing.js").statusCode());
  }
}
