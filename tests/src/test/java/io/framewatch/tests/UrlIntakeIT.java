package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.framewatch.app.ApiClient;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Intake by URL on the whole stack: a real clip served over loopback HTTP (allowed for sources by
 * the stack's configuration) behind a signed-URL style query string is fetched, analysed to a
 * FINAL verdict of the caller's tenant that never shows the query string; a source answering 404
 * ends the video FAILED naming the status.
 */
class UrlIntakeIT extends StackTestBase {
  private static final String SIGNATURE = "c0ffee5ec12e7";
  private static final String SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300"
      + "&X-Amz-Signature=" + SIGNATURE;

  private HttpServer bucket;
  private final List<String> requested = new CopyOnWriteArrayList<>();
  private byte[] clip;

  @BeforeEach
  void serve() throws Exception {
    clip = Files.readAllBytes(SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment()
        .cacheDir()));
    bucket = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    bucket.createContext("/bucket/", this::answer);
    bucket.start();
  }

  @AfterEach
  void stop() {
    bucket.stop(0);
  }

  /** The clip at /bucket/clip.mp4 (any query string), 404 for anything else. */
  private void answer(HttpExchange ex) throws IOException {
    requested.add(ex.getRequestURI().toString());
    boolean found = ex.getRequestURI().getPath().equals("/bucket/clip.mp4");
    byte[] body = found ? clip : "NoSuchKey".getBytes();
    ex.getResponseHeaders().add("Content-Type", found ? "video/mp4" : "text/plain");
    ex.sendResponseHeaders(found ? 200 : 404, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + bucket.getAddress().getPort() + path + SIGNED;
  }

  private static JsonObject submit(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(authorised("/v1/videos")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
    assertFalse(r.body().contains(SIGNATURE), r.body());
    return new JsonObject(r.body());
  }

  @Test
  void shouldFetchASignedUrlAndAnalyseItForTheCallersTenantOnly() throws Exception {
    JsonObject accepted = submit(url("/bucket/clip.mp4"));
    String id = accepted.getString("videoId");
    assertEquals("clip.mp4", accepted.getString("fileName"));

    JsonObject v = awaitTerminal(id);
    assertEquals("FINAL", v.getString("status"), v.encodePrettily());
    assertTrue(v.getLong("framesAnalyzed") > 0, v.encodePrettily());
    assertEquals(v.getLong("framesExpected"), v.getLong("framesAnalyzed"));
    assertEquals("clip.mp4", v.getString("fileName"));
    assertEquals(clip.length, v.getLong("storedBytes"));
    assertEquals(new JsonObject().put("bytesReceived", clip.length).put("bytesTotal", clip.length),
        v.getJsonObject("fetching"));
    assertFalse(v.encode().contains(SIGNATURE), v.encode());
    assertTrue(requested.get(0).endsWith(SIGNED), "the signature reached the source");
    assertEquals(clip.length, Files.size(media.resolve("videos").resolve(id + ".mp4")));

    ApiClient.Response mine = api.get("/v1/videos/" + id);
    assertEquals(200, mine.status());
    ApiClient.Response foreign = new ApiClient(stack.apiUrl(), OTHER.key()).get("/v1/videos/" + id);
    assertEquals(404, foreign.status(), foreign.body().encode());
  }

  @Test
  void shouldFailTheVideoWhenTheSourceAnswers404() throws Exception {
    String id = submit(url("/bucket/gone.mp4")).getString("videoId");
    JsonObject v = awaitTerminal(id);
    assertEquals("FAILED", v.getString("status"), v.encodePrettily());
    assertTrue(v.getString("error").startsWith("ingest: the source answered 404"),
        v.getString("error"));
    assertFalse(v.getString("error").contains(SIGNATURE));
    assertEquals(0, v.getLong("storedBytes"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(media.resolve("incoming")
        .resolve(id + ".part")));
  }
}
