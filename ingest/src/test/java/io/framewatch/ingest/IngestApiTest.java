package io.framewatch.ingest;

import static io.framewatch.ingest.view.Records.alert;
import static io.framewatch.ingest.view.Records.record;
import static io.framewatch.ingest.view.Records.verdict;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.topic.Topics;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's handlers over HTTP, as IngestApp serves them: keys and tenants, the OpenAPI
 * document's validation, uploads into the media store, and the reads of a detached view.
 */
@ExtendWith(VertxExtension.class)
class IngestApiTest {
  private static final long MAX_UPLOAD = 1024 * 1024;

  @TempDir
  Path media;
  @TempDir
  Path files;
  private final ReadView view = ReadView.detached(new ViewLimits(100, 100, 100, 100));
  private ApiServer server;
  private WebClient client;
  private long offset;

  @BeforeEach
  void serve(Vertx vertx) throws Exception {
    server = new ApiServer(vertx, view, media, MAX_UPLOAD, 60_000);
    client = WebClient.create(vertx);
  }

  @AfterEach
  void close() throws Exception {
    server.close();
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path, String key) {
    HttpRequest<Buffer> r = client.request(method, server.port(), "127.0.0.1", path);
    return key == null ? r : r.bearerTokenAuthentication(key);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String key) {
    return request(method, path, key).send().await();
  }

  private void apply(io.framewatch.topic.Topic<String, ?> topic, String key,
      com.google.protobuf.MessageLite m) {
    view.apply(List.of(record(topic, 0, offset++, key, m)));
  }

  private static String error(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("error");
  }

  private Path video(int bytes) throws Exception {
    byte[] b = new byte[bytes];
    byte[] head = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    System.arraycopy(head, 0, b, 0, head.length);
    Path f = files.resolve("clip-" + bytes + ".mp4");
    Files.write(f, b);
    return f;
  }

  private HttpResponse<Buffer> upload(String key, MultipartForm form) {
    return request(HttpMethod.POST, "/v1/videos", key).sendMultipartForm(form).await();
  }

  @Test
  void shouldAnswer401WithoutAKeyOrWithAnUnknownKeyOnEverySecuredOperation() {
    JsonObject doc = ApiRouter.document();
    var secured = ApiRouter.secured(doc);
    int checked = 0;
    for (String path : doc.getJsonObject("paths").fieldNames()) {
      for (Map.Entry<String, Object> op : doc.getJsonObject("paths").getJsonObject(path)) {
        if (!(op.getValue() instanceof JsonObject o)
            || !secured.contains(o.getString("operationId"))) {
          continue;
        }
        String concrete = path.replace("{id}", "some-id").replace("{name}", "s1-frame.jpg");
        HttpMethod method = HttpMethod.valueOf(op.getKey().toUpperCase());
        for (String key : new String[] {null, "fw_" + "A".repeat(43), "not-a-key"}) {
          HttpResponse<Buffer> r = call(method, concrete, key);
          assertEquals(401, r.statusCode(), method + " " + concrete + ": " + r.bodyAsString());
          assertEquals("Bearer realm=\"framewatch\"", r.getHeader("WWW-Authenticate"));
          assertTrue(error(r).contains(key == null ? "API key is required" : "not valid"),
              error(r));
        }
        checked++;
      }
    }
    assertEquals(14, checked, "every /v1 operation but the session's");
    assertTrue(server.producer.history().isEmpty());
  }

  @Test
  void shouldServeHealthTheDocumentAndTheDashboardWithoutAKey() {
    assertEquals("UP", call(HttpMethod.GET, "/health", null).bodyAsJsonObject()
        .getString("status"));
    HttpResponse<Buffer> doc = call(HttpMethod.GET, "/openapi.json", null);
    assertEquals(200, doc.statusCode());
    assertTrue(doc.getHeader("Content-Type").startsWith("application/json"));
    JsonObject json = doc.bodyAsJsonObject();
    assertEquals("3.1.0", json.getString("openapi"));
    assertTrue(json.getJsonObject("paths").containsKey("/v1/videos/{id}"));
    assertEquals(200, call(HttpMethod.GET, "/dashboard/", null).statusCode());
    HttpResponse<Buffer> none = call(HttpMethod.GET, "/v1/no-such-route", server.key);
    assertEquals(404, none.statusCode());
    assertEquals("no route GET /v1/no-such-route", error(none));
  }

  @Test
  void shouldStoreAnUploadAndQueueItForTheCallersTenantWithItsFormOptions() throws Exception {
    Path clip = video(4096);
    HttpResponse<Buffer> r = upload(server.key, MultipartForm.create().attribute("fps", "2.5")
        .attribute("keyframesOnly", "true").attribute("pixelFormat", "bgr24")
        .binaryFileUpload("file", "clip.mp4", clip.toString(), "video/mp4"));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("videoId");
    assertEquals("/v1/videos/" + id, r.getHeader("Location"));
    Path stored = media.resolve("videos").resolve(id + ".mp4");
    assertEquals(4096, Files.size(stored));
    try (Stream<Path> s = Files.list(media.resolve("incoming"))) {
      assertEquals(0, s.count(), "nothing left in incoming/");
    }
    VideoEvent accepted = VideoEvent.parseFrom(server.producer.history().get(0).value());
    VideoJob job = VideoJob.parseFrom(server.producer.history().get(1).value());
    assertEquals(Topics.VIDEO_EVENTS.name(), server.producer.history().get(0).topic());
    assertEquals("acme", accepted.getAccepted().getTenant());
    assertEquals(4096, accepted.getAccepted().getSizeBytes());
    assertEquals("acme", job.getTenant());
    assertEquals(stored.toString(), job.getSourceUri());
    assertEquals(2.5, job.getDetectSampling().getFramesPerSecond());
    assertTrue(job.getDetectSampling().getKeyframesOnly());
    assertEquals(io.framewatch.proto.PixelFormat.BGR24, job.getPixelFormat());

    assertEquals("RUNNING", call(HttpMethod.GET, "/v1/videos/" + id, server.key)
        .bodyAsJsonObject().getString("status"), "answered before the view has it");
    assertEquals(404, call(HttpMethod.GET, "/v1/videos/" + id, server.otherKey).statusCode());
  }

  @Test
  void shouldRefuseAnOversizeUploadWith413AndKeepNothing() throws Exception {
    HttpResponse<Buffer> r = upload(server.key, MultipartForm.create()
        .binaryFileUpload("file", "big.mp4", video((int) MAX_UPLOAD + 4096).toString(),
            "video/mp4"));
    assertEquals(413, r.statusCode(), r.bodyAsString());
    assertEquals("the upload is larger than the limit of 1 MB (FRAMEWATCH_MAX_UPLOAD_MB)",
        error(r));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      try (Stream<Path> s = Files.list(media.resolve("incoming"))) {
        return s.count() == 0;
      }
    });
    assertTrue(server.producer.history().isEmpty());
  }

  @Test
  void shouldRefuseWhatTheDocumentRefusesWith400NamingTheField() throws Exception {
    Path clip = video(1024);
    Map<String, String> bad = Map.of("fps", "fast", "maxSide", "4", "pixelFormat", "rgb",
        "keyframesOnly", "maybe", "burstFrames", "100");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      HttpResponse<Buffer> r = upload(server.key, MultipartForm.create()
          .attribute(e.getKey(), e.getValue())
          .binaryFileUpload("file", "clip.mp4", clip.toString(), "video/mp4"));
      assertEquals(400, r.statusCode(), e + ": " + r.bodyAsString());
      assertTrue(error(r).startsWith(e.getKey() + ": "), e + ": " + error(r));
    }
    HttpResponse<Buffer> noFile = upload(server.key, MultipartForm.create()
        .attribute("fps", "2").binaryFileUpload("video", "clip.mp4", clip.toString(), "video/mp4"));
    assertEquals(400, noFile.statusCode(), noFile.bodyAsString());
    assertTrue(error(noFile).contains("\"file\""), error(noFile));
    HttpResponse<Buffer> limit = call(HttpMethod.GET, "/v1/videos?limit=0", server.key);
    assertEquals(400, limit.statusCode());
    assertTrue(error(limit).contains("parameter limit"), error(limit));
    HttpResponse<Buffer> text = request(HttpMethod.POST, "/v1/videos", server.key)
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("hello")).await();
    assertEquals(415, text.statusCode(), text.bodyAsString());
    assertTrue(error(text).contains("multipart/form-data"), error(text));
    HttpResponse<Buffer> notVideo = upload(server.key, MultipartForm.create()
        .textFileUpload("file", "notes.txt", Files.writeString(files.resolve("notes.txt"),
            "just text, no video").toString(), "text/plain"));
    assertEquals(415, notVideo.statusCode(), notVideo.bodyAsString());
    assertTrue(server.producer.history().isEmpty());
  }

  @Test
  void shouldAnswerAnotherTenantsIdsExactlyAsUnknownOnes() {
    apply(Topics.VERDICTS, "va", verdict("va", VerdictStatus.FINAL, 100));
    apply(Topics.VERDICTS, "vg", verdict("vg", VerdictStatus.RUNNING, 200, "globex"));
    for (String[] route : new String[][] {{"GET", "/v1/videos/"}, {"GET", "/v1/streams/"},
        {"DELETE", "/v1/videos/"}}) {
      HttpMethod m = HttpMethod.valueOf(route[0]);
      HttpResponse<Buffer> foreign = call(m, route[1] + "vg", server.key);
      HttpResponse<Buffer> unknown = call(m, route[1] + "nope", server.key);
      assertEquals(404, foreign.statusCode(), route[1] + ": " + foreign.bodyAsString());
      assertEquals(404, unknown.statusCode());
      assertEquals(unknown.bodyAsString().replace("nope", "vg"), foreign.bodyAsString());
    }
    assertEquals(200, call(HttpMethod.GET, "/v1/videos/vg", server.otherKey).statusCode());
    JsonArray mine = call(HttpMethod.GET, "/v1/videos", server.key).bodyAsJsonObject()
        .getJsonArray("videos");
    assertEquals(1, mine.size());
    assertEquals("va", mine.getJsonObject(0).getString("videoId"));
    assertTrue(server.producer.history().isEmpty(), "nothing was deleted");
  }

  @Test
  void shouldRefuseAWebhookWhoseReceiverIsARefusedAddressAndStoreAnAllowedOneForTheTenant()
      throws Exception {
    for (String url : new String[] {"http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9000/hook", "http://10.1.2.3/hook"}) {
      HttpResponse<Buffer> r = request(HttpMethod.POST, "/v1/webhooks", server.key)
          .sendJsonObject(new JsonObject().put("url", url)).await();
      assertEquals(400, r.statusCode(), url + ": " + r.bodyAsString());
      assertTrue(error(r).startsWith("'url': "), error(r));
    }
    assertTrue(server.producer.history().isEmpty(), "nothing stored");
    HttpResponse<Buffer> ok = request(HttpMethod.POST, "/v1/webhooks", server.key)
        .sendJsonObject(new JsonObject().put("url", "http://127.0.0.1:9000/hook")).await();
    assertEquals(201, ok.statusCode(), ok.bodyAsString() + " (loopback is allowed here)");
    assertEquals("acme", io.framewatch.proto.WebhookSubscription.parseFrom(
        server.producer.history().get(0).value()).getTenant());
  }

  @Test
  void shouldDeleteTheOwnersVideoFilesAndPublishTheAuditEvent() throws Exception {
    apply(Topics.VERDICTS, "va", verdict("va", VerdictStatus.FINAL, 100));
    Path upload = Files.createDirectories(media.resolve("videos")).resolve("va.mp4");
    Files.write(upload, new byte[1234]);
    HttpResponse<Buffer> r = call(HttpMethod.DELETE, "/v1/videos/va", server.key);
    assertEquals(202, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonObject().put("videoId", "va").put("status", "DELETED")
        .put("filesRemoved", 1).put("bytesRemoved", 1234), r.bodyAsJsonObject());
    assertTrue(Files.notExists(upload));
    assertEquals(1, server.producer.history().size(), "a finished video needs no stop");
    VideoEvent audit = VideoEvent.parseFrom(server.producer.history().get(0).value());
    assertEquals("va", audit.getVideoId());
    assertEquals("request", audit.getDeleted().getReason());
    assertEquals("acme", audit.getDeleted().getTenant());
    assertEquals(server.key.substring(0, 12), audit.getDeleted().getBy(), "the key's id");
    assertEquals(1234, audit.getDeleted().getBytesRemoved());
  }

  @Test
  void shouldAnswer429WithRetryAfterAtATenantsLimits(Vertx vertx) throws Exception {
    apply(Topics.VERDICTS, "big", verdict("big", VerdictStatus.FINAL, 100).toBuilder()
        .setStoredBytes(900_000).build());
    try (ApiServer limited = new ApiServer(vertx, view, media, MAX_UPLOAD, 60_000,
        io.framewatch.runtime.OutboundGuard.of("127.0.0.0/8"),
        io.framewatch.runtime.TenantPolicies.parse("acme: uploads=1 streams=0 stored=1MB"))) {
      java.util.function.Function<MultipartForm, HttpResponse<Buffer>> post = form ->
          client.request(HttpMethod.POST, limited.port(), "127.0.0.1", "/v1/videos")
              .bearerTokenAuthentication(limited.key).sendMultipartForm(form).await();
      HttpResponse<Buffer> first = post.apply(MultipartForm.create()
          .binaryFileUpload("file", "a.mp4", video(4096).toString(), "video/mp4"));
      assertEquals(202, first.statusCode(), first.bodyAsString());
      HttpResponse<Buffer> second = post.apply(MultipartForm.create()
          .binaryFileUpload("file", "b.mp4", video(2048).toString(), "video/mp4"));
      assertEquals(429, second.statusCode(), second.bodyAsString());
      assertTrue(error(second).contains("1 uploads per minute"), error(second));
      long wait = Long.parseLong(second.getHeader("Retry-After"));
      assertTrue(wait >= 1 && wait <= 60, "seconds until the first upload leaves the minute: "
          + wait);
      HttpResponse<Buffer> stored = post.apply(MultipartForm.create()
          .binaryFileUpload("file", "c.mp4", video(200_000).toString(), "video/mp4"));
      assertEquals(429, stored.statusCode(), stored.bodyAsString());
      assertTrue(error(stored).contains("would exceed"), error(stored));
      assertEquals("60", stored.getHeader("Retry-After"));
      HttpResponse<Buffer> stream = client.request(HttpMethod.POST, limited.port(), "127.0.0.1",
          "/v1/streams").bearerTokenAuthentication(limited.key)
          .sendJsonObject(new JsonObject().put("url", "rtsp://127.0.0.1:8554/cam")).await();
      assertEquals(429, stream.statusCode(), stream.bodyAsString());
      assertEquals("60", stream.getHeader("Retry-After"));
      assertTrue(error(stream).contains("its limit is 0"), error(stream));
      HttpResponse<Buffer> other = client.request(HttpMethod.POST, limited.port(), "127.0.0.1",
          "/v1/videos").bearerTokenAuthentication(limited.otherKey).sendMultipartForm(
              MultipartForm.create().binaryFileUpload("file", "d.mp4", video(1024).toString(),
                  "video/mp4")).await();
      assertEquals(202, other.statusCode(), "another tenant has its own limits");
      assertEquals(2, limited.producer.history().size() / 2, "two jobs queued, no more");
    }
  }

  @Test
  void shouldListOnlyTheCallersAlerts() {
    apply(Topics.VERDICTS, "va", verdict("va", VerdictStatus.RUNNING, 100));
    apply(Topics.VERDICTS, "vg", verdict("vg", VerdictStatus.RUNNING, 100, "globex"));
    apply(Topics.ALERTS, "va", alert("va", 1, 1, AlertTransition.RAISED, 10));
    apply(Topics.ALERTS, "vg", alert("vg", 1, 1, AlertTransition.RAISED, 20));
    JsonArray acme = call(HttpMethod.GET, "/v1/alerts", server.key).bodyAsJsonObject()
        .getJsonArray("alerts");
    JsonArray globex = call(HttpMethod.GET, "/v1/alerts", server.otherKey).bodyAsJsonObject()
        .getJsonArray("alerts");
    assertEquals(List.of("va"), acme.stream().map(a -> ((JsonObject) a).getString("videoId"))
        .toList());
    assertEquals(List.of("vg"), globex.stream().map(a -> ((JsonObject) a).getString("videoId"))
        .toList());
  }

  @Test
  void shouldStreamOnlyTheCallersEvents(Vertx vertx) {
    StringBuilder got = new StringBuilder();
    HttpClientResponse res = vertx.createHttpClient().request(new RequestOptions()
        .setMethod(HttpMethod.GET).setPort(server.port()).setHost("127.0.0.1")
        .setURI("/v1/events").setHeaders(MultiMap.caseInsensitiveMultiMap()
            .add("X-Api-Key", server.key)))
        .compose(req -> req.send()).await();
    assertEquals(200, res.statusCode());
    res.handler(b -> {
      synchronized (got) {
        got.append(b.toString());
      }
    });
    await().until(() -> server.eventClients() == 1);
    apply(Topics.VERDICTS, "vg", verdict("vg", VerdictStatus.RUNNING, 100, "globex"));
    apply(Topics.ALERTS, "vg", alert("vg", 1, 1, AlertTransition.RAISED, 20));
    apply(Topics.VERDICTS, "va", verdict("va", VerdictStatus.RUNNING, 200));
    apply(Topics.ALERTS, "va", alert("va", 1, 1, AlertTransition.RAISED, 30));
    await().until(() -> {
      synchronized (got) {
        return got.indexOf("va#1") >= 0;
      }
    });
    synchronized (got) {
      assertTrue(got.indexOf("\"videoId\":\"va\"") >= 0, got.toString());
      assertFalse(got.indexOf("vg") >= 0, "another tenant's events: " + got);
    }
    res.request().connection().close().await();
  }

  @Test
  void shouldListEveryTenantsUsageForAdminKeysOnly() {
    apply(Topics.VERDICTS, "a1", verdict("a1", VerdictStatus.FINAL, 100).toBuilder()
        .setStoredBytes(1000).setAlertOpen(true).build());
    apply(Topics.VERDICTS, "a2", verdict("a2", VerdictStatus.RUNNING, 100).toBuilder()
        .setLive(true).build());
    apply(Topics.VERDICTS, "a3", verdict("a3", VerdictStatus.FINAL, 100).toBuilder()
        .setStoredBytes(24).build());
    apply(Topics.VERDICTS, "g1", verdict("g1", VerdictStatus.FINAL, 100, "globex").toBuilder()
        .setStoredBytes(7).build());
    HttpResponse<Buffer> hidden = call(HttpMethod.GET, "/v1/tenants", server.key);
    assertEquals(404, hidden.statusCode());
    assertEquals("no route GET /v1/tenants", error(hidden), "as a route that does not exist");
    HttpResponse<Buffer> r = call(HttpMethod.GET, "/v1/tenants", server.adminKey);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<JsonObject> tenants = new ArrayList<>();
    r.bodyAsJsonObject().getJsonArray("tenants").forEach(t -> tenants.add((JsonObject) t));
    assertEquals(List.of(
        new JsonObject().put("tenant", "acme").put("videos", 3).put("liveStreams", 1)
            .put("storedBytes", 1024).put("alertsOpen", 1),
        new JsonObject().put("tenant", "globex").put("videos", 1).put("liveStreams", 0)
            .put("storedBytes", 7).put("alertsOpen", 0),
        new JsonObject().put("tenant", "ops").put("videos", 0).put("liveStreams", 0)
            .put("storedBytes", 0).put("alertsOpen", 0)), tenants);
  }

  @Test
  void shouldLogInWithAnHttpOnlyStrictCookieThatAuthorisesLikeTheKey() {
    HttpResponse<Buffer> wrong = request(HttpMethod.POST, "/v1/session", null)
        .sendJsonObject(new JsonObject().put("key", "fw_" + "B".repeat(43))).await();
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.cookies().isEmpty());
    HttpResponse<Buffer> login = request(HttpMethod.POST, "/v1/session", null)
        .sendJsonObject(new JsonObject().put("key", server.key)).await();
    assertEquals(200, login.statusCode(), login.bodyAsString());
    assertEquals("acme", login.bodyAsJsonObject().getString("tenant"));
    String cookie = login.cookies().get(0);
    assertTrue(cookie.startsWith(ApiKeyAuth.COOKIE + "=" + server.key + ";"), cookie);
    assertTrue(cookie.toLowerCase().contains("httponly") && cookie.contains("SameSite=Strict")
        && cookie.contains("Path=/") && !cookie.contains("Secure"), cookie);
    HttpResponse<Buffer> withCookie = request(HttpMethod.GET, "/v1/videos", null)
        .putHeader("Cookie", ApiKeyAuth.COOKIE + "=" + server.key).send().await();
    assertEquals(200, withCookie.statusCode(), withCookie.bodyAsString());
    HttpResponse<Buffer> logout = call(HttpMethod.DELETE, "/v1/session", null);
    assertEquals(204, logout.statusCode());
    assertTrue(logout.cookies().get(0).contains("Max-Age=0"), logout.cookies().toString());
    HttpResponse<Buffer> secure = request(HttpMethod.POST, "/v1/session", null)
        .putHeader("X-Forwarded-Proto", "https")
        .sendJsonObject(new JsonObject().put("key", server.key)).await();
    assertTrue(secure.cookies().get(0).contains("Secure"), secure.cookies().toString());
  }

  @Test
  void shouldTakeTheKeyFromXApiKeyToo() {
    HttpResponse<Buffer> r = request(HttpMethod.GET, "/v1/videos", null)
        .putHeader("X-Api-Key", server.otherKey).send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }
}
