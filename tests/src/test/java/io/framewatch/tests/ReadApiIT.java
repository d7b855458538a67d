package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.ApiClient;
import io.framewatch.app.EmbeddedKafka;
import io.framewatch.app.EventSubscription;
import io.framewatch.ingest.IngestApp;
import io.framewatch.ingest.IngestConfig;
import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.VideoQuery;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.TopicCatalog;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's read side on a real broker: verdicts, alerts and timeline points produced straight to
 * their topics are listed, paged, detailed and streamed by two ingest replicas alike, and an
 * event stream cut on one replica resumes on the other with only what it missed.
 */
class ReadApiIT {
  /** Verdicts of the listing test are updated far ahead of the clock, so `since` isolates them. */
  private static final long LISTED = System.currentTimeMillis() + Duration.ofDays(3650).toMillis();
  /** Alerts of the alert-history test are emitted later still. */
  private static final long ALERTED = LISTED + Duration.ofDays(365).toMillis();

  @TempDir
  static Path media;
  static EmbeddedKafka kafka;
  static KafkaProducer<byte[], byte[]> producer;
  static IngestApp replicaA;
  static IngestApp replicaB;
  static ApiClient apiA;
  static ApiClient apiB;
  /** The tenant of the records the test writes, and its key. */
  static final String TENANT = "it";
  static final ApiKeys.Created KEY = ApiKeys.create(TENANT, false);
  static final ApiKeys.Created OTHER = ApiKeys.create("other", false);

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(0);
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      TopicCatalog.ensure(admin, (short) 1);
    }
    producer = new KafkaProducer<>(kafka.settings().producer("read-api-it", false),
        new ByteArraySerializer(), new ByteArraySerializer());
    replicaA = replica("a");
    replicaB = replica("b");
    apiA = new ApiClient("http://127.0.0.1:" + replicaA.port(), KEY.key());
    apiB = new ApiClient("http://127.0.0.1:" + replicaB.port(), KEY.key());
    await().atMost(Duration.ofSeconds(60))
        .until(() -> replicaA.health().ready() && replicaB.health().ready());
  }

  static IngestApp replica(String name) throws Exception {
    IngestApp app = new IngestApp(IngestConfig.fromEnv(Map.of(
        Settings.HTTP_HOST.env(), "127.0.0.1", Settings.HTTP_PORT.env(), "0",
        Settings.MEDIA_DIR.env(), media.resolve(name).toString(),
        Settings.API_KEYS.env(), KEY.entry() + "," + OTHER.entry()), kafka.settings()),
        StageContext.local());
    app.start();
    return app;
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {replicaA::close, replicaB::close, producer::close,
        kafka::close}) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  private static void send(ProducerRecord<byte[], byte[]> r) throws Exception {
    producer.send(r).get();
  }

  private static Verdict verdict(String id, VerdictStatus status, long updatedMs) {
    return Verdict.newBuilder().setVideoId(id).setStatus(status).setFileName(id + ".mp4")
        .setUpdatedMs(updatedMs).setFirstEventMs(updatedMs - 5000).setTenant(TENANT).build();
  }

  private static Alert alert(String videoId, int sequence, AlertTransition t, long atMs) {
    return Alert.newBuilder().setVideoId(videoId).setAlertId(videoId + "#1").setSequence(sequence)
        .setTransition(t).setAtMs(atMs).setSource("live").setScore(0.9).addTrackIds(2)
        .setModel("caddm-demo").setReason("track 2: mean P(fake) 0.90 over 10 s >= 0.74")
        .setTenant(TENANT).build();
  }

  private static TimelinePoint point(String videoId, int track, long sample, float pFake) {
    return TimelinePoint.newBuilder().setVideoId(videoId).setTrackId(track).setSampleIndex(sample)
        .setPtsUs(sample * 500_000).setPFake(pFake).setModel("caddm-demo").build();
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("videos").stream()
        .map(o -> ((JsonObject) o).getString("videoId")).toList();
  }

  private static JsonObject ok(ApiClient api, String path) throws Exception {
    ApiClient.Response r = api.get(path);
    assertEquals(200, r.status(), path + ": " + r.body());
    return r.body();
  }

  @Test
  void shouldListPageAndDetailVideosAlikeOnEveryReplica() throws Exception {
    String p = "list-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    VerdictStatus[] statuses = {VerdictStatus.RUNNING, VerdictStatus.FINAL, VerdictStatus.FAILED,
        VerdictStatus.FINAL, VerdictStatus.STALLED, VerdictStatus.FINAL, VerdictStatus.RUNNING};
    for (int i = 0; i < statuses.length; i++) {
      send(Topics.VERDICTS.record(p + i, verdict(p + i, VerdictStatus.RUNNING, LISTED + i)));
    }
    for (int i = 0; i < statuses.length; i++) { // every video moves on: newest is p6, then p5...
      send(Topics.VERDICTS.record(p + i, verdict(p + i, statuses[i], LISTED + 100 + i)));
    }
    String v = p + 3;
    send(Topics.VERDICTS.record(v, verdict(v, VerdictStatus.FINAL, LISTED + 103).toBuilder()
        .setAlertOpen(false).setAlertsRaised(1).setLastFrameDecodedMs(LISTED + 90).build()));
    for (long s : new long[] {4, 1, 3, 1, 2}) { // out of order, sample 1 twice
      send(Topics.VIDEO_TIMELINE.record(v, point(v, 2, s, 0.1f * s)));
    }
    send(Topics.VIDEO_TIMELINE.record(v, point(v, 1, 2, 0.05f)));
    long t0 = System.currentTimeMillis();
    send(Topics.ALERTS.record(v, alert(v, 0, AlertTransition.RAISED, t0)));
    send(Topics.ALERTS.record(v, alert(v, 1, AlertTransition.UPDATED, t0 + 1)));
    send(Topics.ALERTS.record(v, alert(v, 2, AlertTransition.CLEARED, t0 + 2)));

    List<String> newestFirst = List.of(p + 6, p + 5, p + 4, p + 3, p + 2, p + 1, p + 0);
    List<JsonObject> details = new ArrayList<>();
    for (ApiClient api : List.of(apiA, apiB)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> ok(api, "/v1/videos/" + v)
          .getJsonArray("alerts").size() == 3);
      List<String> paged = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonObject page = ok(api, "/v1/videos?since=" + LISTED + "&limit=3"
            + (cursor == null ? "" : "&cursor=" + cursor));
        paged.addAll(ids(page));
        cursor = page.getString("next");
        pages++;
      } while (cursor != null);
      assertEquals(newestFirst, paged);
      assertEquals(3, pages);
      assertEquals(List.of(p + 5, p + 3, p + 1),
          ids(ok(api, "/v1/videos?status=FINAL&since=" + LISTED)));
      assertEquals(List.of(p + 6, p + 5), ids(ok(api, "/v1/videos?since=" + (LISTED + 105))));
      JsonObject bad = api.get("/v1/videos?status=final").body();
      assertTrue(bad.getString("error").contains("query parameter status is invalid"),
          bad.encode());
      details.add(ok(api, "/v1/videos/" + v));
    }
    assertEquals(details.get(0), details.get(1), "both replicas answer alike");

    JsonObject d = details.get(0);
    assertEquals(1, d.getInteger("alertsRaised"));
    assertEquals(LISTED + 103, d.getLong("updatedMs"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("id", 1).put("points", new JsonArray()
            .add(new JsonArray().add(1.0).add(0.05).add(2))))
        .add(new JsonObject().put("id", 2).put("points", new JsonArray()
            .add(new JsonArray().add(0.5).add(0.1).add(1))
            .add(new JsonArray().add(1.0).add(0.2).add(2))
            .add(new JsonArray().add(1.5).add(0.3).add(3))
            .add(new JsonArray().add(2.0).add(0.4).add(4)))),
        d.getJsonObject("timeline").getJsonArray("tracks"));
    assertEquals(List.of("RAISED", "UPDATED", "CLEARED"), d.getJsonArray("alerts").stream()
        .map(o -> ((JsonObject) o).getString("transition")).toList());
  }

  @Test
  void shouldListTheNewestAlertsSinceATimeOldestFirst() throws Exception {
    String v = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 4; i++) {
      send(Topics.ALERTS.record(v + i, alert(v + i, 0, AlertTransition.RAISED, ALERTED + i)));
    }
    for (ApiClient api : List.of(apiA, apiB)) {
      await().atMost(Duration.ofSeconds(30)).until(() ->
          ok(api, "/v1/alerts?since=" + ALERTED).getJsonArray("alerts").size() == 4);
    }
    JsonArray all = ok(apiA, "/v1/alerts?since=" + ALERTED).getJsonArray("alerts");
    assertEquals(List.of(v + 0, v + 1, v + 2, v + 3), all.stream()
        .map(o -> ((JsonObject) o).getString("videoId")).toList());
    JsonArray last = ok(apiA, "/v1/alerts?since=" + (ALERTED + 1) + "&limit=2")
        .getJsonArray("alerts");
    assertEquals(List.of(Long.toString(ALERTED + 2), Long.toString(ALERTED + 3)), last.stream()
        .map(o -> ((JsonObject) o).getString("atMs")).toList());
  }

  /** The events of videos whose id starts with {@code prefix} (other tests' may be in flight). */
  private static List<EventSubscription.Event> of(String prefix, EventSubscription sse) {
    return sse.events().stream().filter(e -> e.data().getString("videoId").startsWith(prefix))
        .toList();
  }

  @Test
  void shouldStreamEventsAsProducedAndResumeOnTheOtherReplicaWithOnlyWhatWasMissed()
      throws Exception {
    String v = "sse-" + UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    String lastSeen;
    try (EventSubscription live = apiA.events(null);
        EventSubscription theirs = new ApiClient("http://127.0.0.1:" + replicaA.port(),
            OTHER.key()).events(null)) {
      send(Topics.VERDICTS.record(v, verdict(v, VerdictStatus.RUNNING, now)));
      send(Topics.ALERTS.record(v, alert(v, 0, AlertTransition.RAISED, now)));
      await().atMost(Duration.ofSeconds(15)).until(() -> of(v, live).size() >= 2);
      assertTrue(of(v, theirs).isEmpty(), "another tenant's stream carries none of them");
      List<EventSubscription.Event> got = of(v, live);
      assertEquals(List.of("verdict", "alert"), got.stream().map(EventSubscription.Event::name)
          .toList(), "nothing but what was produced since connecting");
      assertEquals(v, got.get(0).data().getString("videoId"));
      assertEquals("RUNNING", got.get(0).data().getString("status"));
      assertNull(got.get(0).data().getValue("timeline"), "events carry no timeline");
      assertEquals(v + "#1", got.get(1).data().getString("alertId"));
      assertEquals("RAISED", got.get(1).data().getString("transition"));
      lastSeen = got.get(1).id();
      assertTrue(live.comments().contains("framewatch events"), live.comments().toString());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> replicaA.health().checks()
        .get("ingest-api").endsWith(", 0 event stream clients"));

    // Missed while disconnected:
    send(Topics.VERDICTS.record(v, verdict(v, VerdictStatus.FINAL, now + 1)));
    send(Topics.ALERTS.record(v, alert(v, 1, AlertTransition.CLEARED, now + 1)));
    await().atMost(Duration.ofSeconds(15)).until(() -> ok(apiB, "/v1/videos/" + v)
        .getJsonArray("alerts").size() == 2);

    try (EventSubscription resumed = apiB.events(lastSeen)) {
      await().atMost(Duration.ofSeconds(15)).until(() -> of(v, resumed).size() >= 2);
      String marker = v + "-after";
      send(Topics.VERDICTS.record(marker, verdict(marker, VerdictStatus.RUNNING, now + 2)));
      await().atMost(Duration.ofSeconds(15)).until(() -> of(v, resumed).size() >= 3);
      List<EventSubscription.Event> got = of(v, resumed);
      Set<String> missed = got.subList(0, 2).stream()
          .map(e -> e.name() + " " + e.data().getString("status", e.data().getString("transition")))
          .collect(Collectors.toSet());
      assertEquals(Set.of("verdict FINAL", "alert CLEARED"), missed);
      assertEquals(marker, got.get(2).data().getString("videoId"),
          "then live events, and nothing it had already: " + got);
      assertEquals(3, got.size());
    }
  }

  @Test
  void shouldBeReadyOnlyOnceItHasReadWhatTheTopicsHeldWhenItStarted() throws Exception {
    String v = "ready-" + UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    for (int s = 0; s < 3000; s++) { // several polls' worth (500 records a poll)
      producer.send(Topics.VIDEO_TIMELINE.record(v, point(v, 1, s, 0.5f)));
    }
    for (int i = 0; i < 200; i++) {
      producer.send(Topics.VERDICTS.record(v + i, verdict(v + i, VerdictStatus.FINAL, now)));
    }
    send(Topics.VERDICTS.record(v, verdict(v, VerdictStatus.FINAL, now)));
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ReadView view = ReadView.of(kafka.settings(), ViewLimits.fromEnv(Map.of()), () -> { })) {
      // Holds the reader inside its first batch of events, before it can have caught up.
      view.subscribe(events -> {
        reading.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      view.start();
      assertTrue(reading.await(60, TimeUnit.SECONDS), "the reader read no verdict");
      assertFalse(view.health().ready(), "ready while reading: " + view.health());
      assertTrue(view.health().live());
      release.countDown();
      await().atMost(Duration.ofSeconds(60)).until(() -> view.health().ready());

      // No waiting from here: ready means caught up.
      assertEquals(3000, view.video(v).orElseThrow().tracks().get(0).points().size());
      assertEquals(201, view.videos(new VideoQuery(null, now, 500, null)).videos().stream()
          .filter(x -> x.getVideoId().startsWith(v)).count());
      assertTrue(view.health().checks().get("ingest-read-view").startsWith("following "),
          view.health().toString());
    }
  }
}
