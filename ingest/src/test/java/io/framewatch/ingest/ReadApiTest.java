package io.framewatch.ingest;

import static io.framewatch.ingest.view.Records.alert;
import static io.framewatch.ingest.view.Records.point;
import static io.framewatch.ingest.view.Records.record;
import static io.framewatch.ingest.view.Records.verdict;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.topic.Topics;
import java.nio.file.Files;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read routes over HTTP, on a view fed records directly (no broker). */
class ReadApiTest {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .build();
  private final ReadView view = ReadView.detached(new ViewLimits(100, 100, 100, 3));
  @TempDir
  Path media;
  private ApiServer server;
  private int port;

  @BeforeEach
  void serve() throws Exception {
    server = new ApiServer(Vertx.vertx(), view, media, 1024 * 1024, 200);
    port = server.port();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + server.key).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject json(String path, int status) throws Exception {
    HttpResponse<String> r = get(path);
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    return new JsonObject(r.body());
  }

  private void verdicts(Verdict... vs) {
    for (Verdict v : vs) {
      view.apply(List.of(record(Topics.VERDICTS, 0, view.events().head()
          .next(io.framewatch.ingest.view.ViewEvent.Kind.VERDICT, 0), v.getVideoId(), v)));
    }
  }

  @Test
  void shouldRefuseBadListingParametersWithAReason() throws Exception {
    Map<String, String> bad = Map.of(
        "/v1/videos?limit=0", "query parameter limit is invalid. Reason: 0 is less than 1",
        "/v1/videos?limit=501", "query parameter limit is invalid. Reason: 501 is greater than 500",
        "/v1/videos?limit=ten", "query parameter limit is invalid",
        "/v1/videos?since=-5", "query parameter since is invalid",
        "/v1/videos?status=DONE", "query parameter status is invalid",
        "/v1/videos?cursor=zzz", "cursor is not one this API handed out",
        "/v1/videos?limit=1&limit=2", "limit may be given once",
        "/v1/alerts?since=yesterday", "query parameter since is invalid",
        "/v1/alerts?limit=1000", "query parameter limit is invalid");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      JsonObject body = json(e.getKey(), 400);
      assertTrue(body.getString("error").contains(e.getValue()), e.getKey() + ": " + body);
    }
  }

  private HttpResponse<byte[]> getBytes(String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void shouldServeAVideosEvidenceFilesToItsTenantOnlyAndLinkThemFromTheVerdict()
      throws Exception {
    verdicts(verdict("ev", VerdictStatus.FINAL, 100).toBuilder().addTracks(
        io.framewatch.proto.TrackSummary.newBuilder().setId(1).addEvidence(
            io.framewatch.proto.TrackEvidence.newBuilder().setSampleIndex(4).setPtsUs(2_000_000)
                .setFaceIndex(0).setPFake(0.93f).setCropFile("s4-f0-crop.png")
                .setFrameFile("s4-frame.jpg").setStored(true).setEnhancedFile("s4-f0-sr.png")
                .setEnhancedStored(true))).build());
    VideoFiles files = new VideoFiles(media);
    Files.createDirectories(files.evidence("ev"));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    Files.write(files.evidenceFile("ev", "s4-f0-crop.png"), png);
    Files.write(files.evidenceFile("ev", "s4-frame.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8});
    // a file beside the evidence directory that no evidence name can reach
    Files.writeString(media.resolve("secret.txt"), "not yours");

    JsonObject track = json("/v1/videos/ev", 200).getJsonArray("tracks").getJsonObject(0);
    JsonObject e = track.getJsonArray("evidence").getJsonObject(0);
    assertEquals("/v1/videos/ev/evidence/s4-f0-crop.png", e.getString("cropUrl"));
    assertEquals("/v1/videos/ev/evidence/s4-frame.jpg", e.getString("frameUrl"));
    assertEquals(0.93, e.getDouble("pFake"), 1e-9);
    assertEquals(2.0, e.getDouble("seconds"), 1e-9);
    assertTrue(e.getBoolean("stored"));
    assertEquals("/v1/videos/ev/evidence/s4-f0-sr.png", e.getString("enhancedUrl"));
    assertTrue(e.getBoolean("enhancedStored"));
    assertNull(e.getValue("enhancedError"));

    HttpResponse<byte[]> crop = getBytes(e.getString("cropUrl"), server.key);
    assertEquals(200, crop.statusCode());
    assertEquals("image/png", crop.headers().firstValue("Content-Type").orElse(""));
    assertTrue(java.util.Arrays.equals(png, crop.body()));
    Files.write(files.evidenceFile("ev", "s4-f0-sr.png"), png);
    HttpResponse<byte[]> sr = getBytes(e.getString("enhancedUrl"), server.key);
    assertEquals(200, sr.statusCode(), "the super-resolved crop's name passes the API contract");
    assertEquals("image/png", sr.headers().firstValue("Content-Type").orElse(""));
    HttpResponse<byte[]> frame = getBytes(e.getString("frameUrl"), server.key);
    assertEquals(200, frame.statusCode());
    assertEquals("image/jpeg", frame.headers().firstValue("Content-Type").orElse(""));

    assertEquals(401, getBytes(e.getString("cropUrl"), null).statusCode());
    assertEquals(404, getBytes(e.getString("cropUrl"), server.otherKey).statusCode(),
        "another tenant's evidence is an unknown video's");
    assertEquals(404, getBytes("/v1/videos/ev/evidence/s5-f0-crop.png", server.key)
        .statusCode(), "a file not written yet");
    assertEquals(404, getBytes("/v1/videos/nope/evidence/s4-f0-crop.png", server.key)
        .statusCode());
    for (String bad : List.of("..%2F..%2Fsecret.txt", "secret.txt", "s4-f0-crop.png%00.txt",
        "%2E%2E", "s4-frame.jpg.part", "S4-FRAME.JPG", "s4-frame-sr.png", "s4-f0-sr.jpg")) {
      HttpResponse<byte[]> r = getBytes("/v1/videos/ev/evidence/" + bad, server.key);
      assertFalse(new String(r.body()).contains("not yours"), bad);
      // dot segments are resolved before routing (to the video's own detail); nothing else
      // that is not an evidence name gets past the route
      boolean dots = bad.equals("%2E%2E");
      assertTrue(r.statusCode() == 400 || r.statusCode() == 404 || dots && r.statusCode() == 200
          && r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
          bad + ": " + r.statusCode());
    }
  }

  @Test
  void shouldPageTheListingWithAnOpaqueCursorUntilNextIsNull() throws Exception {
    verdicts(verdict("a", VerdictStatus.FINAL, 100), verdict("b", VerdictStatus.RUNNING, 300),
        verdict("c", VerdictStatus.FINAL, 200));

    JsonObject first = json("/v1/videos?limit=2", 200);
    assertEquals(List.of("b", "c"), ids(first));
    assertEquals(300L, first.getJsonArray("videos").getJsonObject(0).getLong("updatedMs"));
    assertFalse(first.getJsonArray("videos").getJsonObject(0).getBoolean("alertOpen"));
    JsonObject second = json("/v1/videos?limit=2&cursor=" + first.getString("next"), 200);
    assertEquals(List.of("a"), ids(second));
    assertTrue(second.containsKey("next"));
    assertNull(second.getValue("next"));
    assertEquals(List.of("c", "a"), ids(json("/v1/videos?status=FINAL", 200)));
    assertEquals(List.of("b", "c"), ids(json("/v1/videos?since=200", 200)));
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("videos").stream()
        .map(o -> ((JsonObject) o).getString("videoId")).toList();
  }

  @Test
  void shouldShowAVideoWithItsTimelinePerTrackAndItsAlertTransitions() throws Exception {
    verdicts(verdict("v", VerdictStatus.RUNNING, 100).toBuilder().setAlertOpen(true)
        .setAlertsRaised(1).setLastFrameDecodedMs(90).build());
    view.apply(List.of(record(Topics.VIDEO_TIMELINE, 0, 0, "v", point("v", 1, 3, 0.9f)),
        record(Topics.VIDEO_TIMELINE, 0, 1, "v", point("v", 1, 2, null)),
        record(Topics.ALERTS, 0, 0, "v", alert("v", 1, 0, AlertTransition.RAISED, 1000))));

    JsonObject d = json("/v1/videos/v", 200);
    assertTrue(d.getBoolean("alertOpen"));
    assertEquals(1, d.getInteger("alertsRaised"));
    assertEquals(90L, d.getLong("lastFrameDecodedMs"));
    JsonArray tracks = d.getJsonObject("timeline").getJsonArray("tracks");
    assertEquals(new JsonArray().add(new JsonObject().put("id", 1).put("points", new JsonArray()
        .add(new JsonArray().add(1.0).addNull().add(2))
        .add(new JsonArray().add(1.5).add(0.9).add(3)))), tracks);
    JsonObject raised = d.getJsonArray("alerts").getJsonObject(0);
    assertEquals("v#1", raised.getString("alertId"));
    assertEquals("RAISED", raised.getString("transition"));
    assertEquals("1000", raised.getString("atMs"), "protobuf JSON writes int64 as a string");
    assertEquals(d.getValue("alerts"), json("/v1/streams/v", 200).getValue("alerts"));
  }

  @Test
  void shouldAnswerAVideoAcceptedHereAsRunningUntilTheViewHasItAndUnknownOnesWith404()
      throws Exception {
    long before = System.currentTimeMillis();
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v1/streams"))
        .header("Authorization", "Bearer " + server.key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"url\": \"rtsp://127.0.0.1/cam\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, posted.statusCode(), posted.body());
    JsonObject d = json("/v1/videos/" + new JsonObject(posted.body()).getString("videoId"), 200);
    assertEquals("RUNNING", d.getString("status"));
    assertTrue(d.getLong("updatedMs") >= before);
    assertTrue(d.getJsonArray("alerts").isEmpty());
    assertEquals("no video with id nope", json("/v1/videos/nope", 404).getString("error"));
    assertEquals(400, get("/v1/videos/..%2Fetc").statusCode());
  }

  @Test
  void shouldListTheNewestAlertsSinceATimeOldestFirst() throws Exception {
    verdicts(verdict("v", VerdictStatus.RUNNING, 5), verdict("w", VerdictStatus.RUNNING, 5));
    view.apply(List.of(
        record(Topics.ALERTS, 0, 0, "v", alert("v", 1, 0, AlertTransition.RAISED, 10)),
        record(Topics.ALERTS, 0, 1, "v", alert("v", 1, 1, AlertTransition.CLEARED, 30)),
        record(Topics.ALERTS, 1, 0, "w", alert("w", 1, 0, AlertTransition.RAISED, 20))));

    JsonArray since = json("/v1/alerts?since=20", 200).getJsonArray("alerts");
    assertEquals(List.of("w#1", "v#1"), since.stream()
        .map(o -> ((JsonObject) o).getString("alertId")).toList());
    JsonArray last = json("/v1/alerts?limit=1", 200).getJsonArray("alerts");
    assertEquals("CLEARED", last.getJsonObject(0).getString("transition"));
  }

  /** A client reading the raw lines of {@code /v1/events}. */
  private final class Lines implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Stream<String> body;

    Lines(String lastEventId) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v1/events"))
          .header("Authorization", "Bearer " + server.key);
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream; charset=utf-8",
          r.headers().firstValue("Content-Type").orElse(""));
      body = r.body();
      Thread t = new Thread(() -> {
        try {
          body.forEach(lines::add);
        } catch (java.io.UncheckedIOException e) {
          // close() cut the stream
        }
      });
      t.setDaemon(true);
      t.start();
    }

    String idBefore(String line) {
      int i = lines.indexOf(line);
      return lines.get(i - 2).substring("id: ".length());
    }

    @Override
    public void close() {
      body.close();
    }
  }

  @Test
  void shouldStreamEventsWithIdsKeepAliveAndForgetAClientThatLeft() throws Exception {
    try (Lines sse = new Lines(null)) {
      await().until(() -> server.eventClients() == 1);
      verdicts(verdict("v", VerdictStatus.RUNNING, 100));
      view.apply(List.of(record(Topics.ALERTS, 2, 5, "v",
          alert("v", 1, 0, AlertTransition.RAISED, 1000))));

      String data = "data: " + VerdictJson.of(verdict("v", VerdictStatus.RUNNING, 100)).encode();
      await().atMost(Duration.ofSeconds(5)).until(() -> sse.lines.contains(data)
          && sse.lines.stream().anyMatch(l -> l.startsWith("data: {\"videoId\":\"v\",\"atMs\"")));
      assertEquals("event: verdict", sse.lines.get(sse.lines.indexOf(data) - 1));
      assertEquals("v1_a", sse.idBefore(data));
      assertTrue(sse.lines.contains("event: alert"));
      assertTrue(sse.lines.contains("id: v1_a0.0.6"));
      await().atMost(Duration.ofSeconds(5)).until(() -> sse.lines.contains(": keep-alive"));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.eventClients() == 0);
  }

  @Test
  void shouldStreamADeletionAndAnswer404ForTheDeletedVideo() throws Exception {
    verdicts(verdict("gone", VerdictStatus.FINAL, 100));
    json("/v1/videos/gone", 200);
    try (Lines sse = new Lines(null)) {
      await().until(() -> server.eventClients() == 1);
      view.apply(List.of(record(Topics.VERDICTS, 0, 1, "gone", null)));
      String data = "data: {\"videoId\":\"gone\"}";
      await().atMost(Duration.ofSeconds(5)).until(() -> sse.lines.contains(data));
      assertEquals("event: deleted", sse.lines.get(sse.lines.indexOf(data) - 1));
      assertEquals("v2_a", sse.idBefore(data));
    }
    json("/v1/videos/gone", 404);
    assertEquals(0, json("/v1/videos", 200).getJsonArray("videos").size());
  }

  @Test
  void shouldResumeAfterLastEventIdAndSayWhenMissedEventsAreNoLongerRetained() throws Exception {
    for (long t = 1; t <= 5; t++) {
      verdicts(verdict("v", VerdictStatus.RUNNING, t)); // offsets 0..4; 2..4 retained
    }
    try (Lines resumed = new Lines("v3_a")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> resumed.lines.contains("id: v5_a"));
      assertEquals(List.of("id: v4_a", "id: v5_a"),
          resumed.lines.stream().filter(l -> l.startsWith("id: ")).toList());
      assertFalse(resumed.lines.stream().anyMatch(l -> l.contains("no longer retained")));
    }
    try (Lines late = new Lines("v1_a")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> late.lines.contains("id: v5_a"));
      assertTrue(late.lines.contains(EventStream.GAP));
      assertEquals(3, late.lines.stream().filter(l -> l.startsWith("id: ")).count());
    }
    try (Lines garbage = new Lines("12")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> garbage.lines.contains(
          ": Last-Event-ID is not an id of this stream; events from now on"));
      verdicts(verdict("v", VerdictStatus.FINAL, 6));
      await().atMost(Duration.ofSeconds(5)).until(() -> garbage.lines.contains("id: v6_a"));
      assertEquals(1, garbage.lines.stream().filter(l -> l.startsWith("id: ")).count());
    }
  }
}
