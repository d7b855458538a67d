package io.framewatch.ingest;

import static io.framewatch.ingest.view.Records.record;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.Records;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.Fetching;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/videos} with a URL, over HTTP as IngestApp serves it, fetching from a real
 * HTTP server on loopback ({@link VideoSource}, on its own Vert.x): refusals answered at once
 * and nothing queued, a fetched clip's Accepted, Fetching and job records, the failure of a
 * refused fetch, and the failure of a download the stopping API cut off.
 */
@ExtendWith(VertxExtension.class)
class UrlIntakeRoutesTest {
  private static final long MAX_UPLOAD = 1024 * 1024;
  private static final String SECRET = "5ec12e7f00d";
  private static final String SIGNED = "?X-Amz-Expires=300&X-Amz-Signature=" + SECRET;
  /** Progress every 64 KiB or 200 ms. */
  private static final UrlIntake.Limits LIMITS =
      new UrlIntake.Limits(MAX_UPLOAD, 5000, 5000, 20_000, 64 * 1024, 200);

  @TempDir
  Path media;
  @TempDir
  Path scratch;
  private final ReadView view = ReadView.detached(new ViewLimits(100, 100, 100, 100));
  private IntakeFixture fx;
  private ApiServer server;
  private WebClient client;

  @BeforeEach
  void source() throws Exception {
    fx = new IntakeFixture(scratch);
  }

  @AfterEach
  void close() throws Exception {
    server.close();
    fx.close();
  }

  private void serve(Vertx vertx, String allow) throws Exception {
    server = new ApiServer(vertx, view, media, MAX_UPLOAD, 60_000, OutboundGuard.of(allow),
        LIMITS);
    client = WebClient.create(vertx);
  }

  private HttpResponse<Buffer> submit(JsonObject body) {
    return client.request(HttpMethod.POST, server.port(), "127.0.0.1", "/v1/videos")
        .bearerTokenAuthentication(server.key).sendJsonObject(body).await();
  }

  private HttpResponse<Buffer> get(String path, String key) {
    return client.request(HttpMethod.GET, server.port(), "127.0.0.1", path)
        .bearerTokenAuthentication(key).send().await();
  }

  private List<ProducerRecord<byte[], byte[]>> sent() {
    return server.producer.history();
  }

  /** The video.events records of {@code id}, in the order sent. */
  private List<VideoEvent> events(String id) throws Exception {
    List<VideoEvent> out = new java.util.ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : sent()) {
      if (r.topic().equals(Topics.VIDEO_EVENTS.name())) {
        VideoEvent e = VideoEvent.parseFrom(r.value());
        if (e.getVideoId().equals(id)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private List<VideoJob> jobs() throws Exception {
    List<VideoJob> out = new java.util.ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : sent()) {
      if (r.topic().equals(Topics.VIDEO_JOBS.name())) {
        out.add(VideoJob.parseFrom(r.value()));
      }
    }
    return out;
  }

  private VideoEvent awaitLast(String id, VideoEvent.KindCase kind) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<VideoEvent> es = events(id);
      return es.isEmpty() ? null : es.get(es.size() - 1);
    }, e -> e != null && e.getKindCase() == kind);
  }

  private long files(String dir) throws Exception {
    try (Stream<Path> s = Files.list(media.resolve(dir))) {
      return s.count();
    }
  }

  @Test
  void shouldRefuseUrlsItMayNotFetchWith400BeforeQueuingAnything(Vertx vertx) throws Exception {
    serve(vertx, "");
    Map<String, String> refused = Map.of(
        "http://169.254.169.254/latest/meta-data" + SIGNED, "169.254.169.254 is link-local",
        fx.http("/media/clip.mp4" + SIGNED), "127.0.0.1 is loopback",
        "ftp://media.example/clip.mp4", "unsupported URL scheme 'ftp'",
        "https://user:pw@media.example/clip.mp4", "credentials in the URL are not accepted",
        "https:///clip.mp4", "the URL has no host");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      HttpResponse<Buffer> r = submit(new JsonObject().put("url", e.getKey()));
      assertEquals(400, r.statusCode(), e.getKey() + ": " + r.bodyAsString());
      String error = r.bodyAsJsonObject().getString("error");
      assertTrue(error.contains(e.getValue()), error);
      assertFalse(error.contains(SECRET), error);
    }
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("url", 5),
        new JsonObject().put("url", "https://media.example/a.mp4").put("fps", "fast"),
        new JsonObject().put("url", "https://media.example/a.mp4").put("pixelFormat", "rgb"))) {
      assertEquals(400, submit(bad).statusCode(), bad.encode());
    }
    assertTrue(sent().isEmpty(), "nothing queued");
    assertEquals(0, fx.source.seen().size(), "the source was never asked");
  }

  @Test
  void shouldAcceptAtOnceThenFetchTheClipWithProgressAndQueueItsJob(Vertx vertx)
      throws Exception {
    serve(vertx, "127.0.0.0/8");
    HttpResponse<Buffer> r = submit(new JsonObject().put("url", fx.http("/media/clip.mp4" + SIGNED))
        .put("fps", 2.5).put("keyframesOnly", true).put("pixelFormat", "bgr24"));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    JsonObject answer = r.bodyAsJsonObject();
    String id = answer.getString("videoId");
    assertEquals("RUNNING", answer.getString("status"));
    assertEquals("clip.mp4", answer.getString("fileName"));
    assertEquals("/v1/videos/" + id, answer.getString("statusUrl"));
    assertEquals("/v1/videos/" + id, r.getHeader("Location"));
    assertEquals(200, get("/v1/videos/" + id, server.key).statusCode(), "the caller's at once");
    assertEquals(404, get("/v1/videos/" + id, server.otherKey).statusCode());

    VideoJob job = await().atMost(Duration.ofSeconds(20)).until(this::jobs, j -> !j.isEmpty())
        .get(0);
    byte[] clip = fx.source.clip();
    Path stored = media.resolve("videos").resolve(id + ".mp4");
    assertArrayEquals(clip, Files.readAllBytes(stored));
    assertEquals(0, files("incoming"), "no partial file left");
    assertEquals(id, job.getVideoId());
    assertEquals(Records.TENANT, job.getTenant());
    assertEquals(stored.toString(), job.getSourceUri());
    assertEquals("clip.mp4", job.getFileName());
    assertEquals(clip.length, job.getSizeBytes());
    assertTrue(job.getSubmittedAtMs() > 0);
    assertEquals(2.5, job.getDetectSampling().getFramesPerSecond());
    assertTrue(job.getDetectSampling().getKeyframesOnly());
    assertEquals(io.framewatch.proto.PixelFormat.BGR24, job.getPixelFormat());

    // Accepted first (tenant, name, no size yet), then growing progress, the last one complete
    List<VideoEvent> es = events(id);
    assertEquals(VideoEvent.KindCase.ACCEPTED, es.get(0).getKindCase());
    assertEquals(Records.TENANT, es.get(0).getAccepted().getTenant());
    assertEquals("clip.mp4", es.get(0).getAccepted().getFileName());
    assertEquals(0, es.get(0).getAccepted().getSizeBytes());
    List<Fetching> progress = es.subList(1, es.size()).stream().map(VideoEvent::getFetching)
        .toList();
    assertTrue(es.subList(1, es.size()).stream().allMatch(VideoEvent::hasFetching), es.toString());
    assertTrue(progress.size() >= clip.length / (64 * 1024), progress.size() + " reports");
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i).getBytesReceived() >= progress.get(i - 1).getBytesReceived());
    }
    Fetching last = progress.get(progress.size() - 1);
    assertEquals(clip.length, last.getBytesReceived());
    assertEquals(clip.length, last.getBytesTotal());
    assertEquals(1, sent().stream().filter(p -> p.topic().equals(Topics.VIDEO_JOBS.name()))
        .count(), "one job");

    // the query string reached the source and nothing else
    assertTrue(fx.source.seen().get(0).uri().endsWith(SIGNED), fx.source.seen().toString());
    for (ProducerRecord<byte[], byte[]> p : sent()) {
      assertFalse(new String(p.value(), StandardCharsets.ISO_8859_1).contains(SECRET));
    }
    assertFalse(r.bodyAsString().contains(SECRET));

    // the verdict shows the download
    view.apply(List.of(record(Topics.VERDICTS, 0, 0, id, Records.verdict(id,
        VerdictStatus.RUNNING, 100).toBuilder().setStoredBytes(4096)
        .setFetching(Fetching.newBuilder().setBytesReceived(4096).setBytesTotal(-1)).build())));
    JsonObject v = get("/v1/videos/" + id, server.key).bodyAsJsonObject();
    assertEquals(new JsonObject().put("bytesReceived", 4096).putNull("bytesTotal"),
        v.getJsonObject("fetching"), v.encode());
    assertEquals(4096, v.getLong("storedBytes"));
  }

  @Test
  void shouldFailTheVideoWhenTheSourceAnswers404OrSendsTextAndKeepNoFile(Vertx vertx)
      throws Exception {
    serve(vertx, "127.0.0.0/8");
    String missing = submit(new JsonObject().put("url", fx.http("/missing" + SIGNED)))
        .bodyAsJsonObject().getString("videoId");
    String text = submit(new JsonObject().put("url", fx.http("/text.txt")))
        .bodyAsJsonObject().getString("videoId");
    VideoEvent notFound = awaitLast(missing, VideoEvent.KindCase.FAILURE);
    assertEquals("ingest", notFound.getFailure().getStage());
    assertTrue(notFound.getFailure().getReason().startsWith("the source answered 404"),
        notFound.getFailure().getReason());
    assertFalse(notFound.getFailure().getReason().contains(SECRET));
    VideoEvent notVideo = awaitLast(text, VideoEvent.KindCase.FAILURE);
    assertTrue(notVideo.getFailure().getReason().startsWith("not a video: 'text.txt' looks like"),
        notVideo.getFailure().getReason());
    assertTrue(jobs().isEmpty(), "nothing queued");
    assertEquals(0, files("incoming"));
    assertEquals(0, files("videos"));
  }

  @Test
  void shouldFailADownloadTheStoppingApiCutOff(Vertx vertx) throws Exception {
    serve(vertx, "127.0.0.0/8");
    String id = submit(new JsonObject().put("url", fx.http("/drip")))
        .bodyAsJsonObject().getString("videoId");
    awaitLast(id, VideoEvent.KindCase.FETCHING); // 1 KiB every 100 ms: a minute to go
    server.close(); // returns once the verticle stopped
    List<VideoEvent> es = events(id);
    VideoEvent last = es.get(es.size() - 1);
    assertEquals(UrlDownloads.STOPPED, last.getFailure().getReason(), es.toString());
    assertTrue(jobs().isEmpty());
    assertEquals(0, files("incoming"), "the partial file is deleted");
  }
}
