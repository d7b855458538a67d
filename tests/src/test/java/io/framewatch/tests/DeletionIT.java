package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.app.ApiClient;
import io.framewatch.ingest.IngestApp;
import io.framewatch.ingest.IngestConfig;
import io.framewatch.ingest.RetentionPolicy;
import io.framewatch.ingest.VideoDeletion;
import io.framewatch.proto.Deleted;
import io.framewatch.proto.Progress;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.StageContext;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Deleting a video on real parts: a clip uploaded over HTTP and analysed by every stage is
 * deleted through ingest's {@link VideoDeletion} (what {@code DELETE /v1/videos/{id}} calls) or
 * by the retention sweep of two further ingest replicas; its files leave the media store, its
 * verdict is tombstoned on {@code verdicts}, the deletion is audited on {@code video.events}, the
 * API forgets the video, and work still arriving for it does not bring it back.
 */
class DeletionIT extends StackTestBase {

  private static String uploadShortClip() throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    var r = api.post(clip, Map.of("maxFrames", "6"));
    assertEquals(202, r.status(), r.body().encode());
    String id = r.body().getString("videoId");
    assertEquals("FINAL", awaitTerminal(id).getString("status"));
    awaitEvidence(id); // decode writes the tracks' evidence after FINAL
    return id;
  }

  /** The files and bytes below the video's evidence directory. */
  private static long[] evidenceFiles(String id) throws Exception {
    Path dir = media.resolve("evidence").resolve(id);
    if (!Files.isDirectory(dir)) {
      return new long[] {0, 0};
    }
    try (var s = Files.walk(dir)) {
      List<Path> files = s.filter(Files::isRegularFile).toList();
      long bytes = 0;
      for (Path f : files) {
        bytes += Files.size(f);
      }
      return new long[] {files.size(), bytes};
    }
  }

  private static IngestApp stackIngest() {
    return stack.stages().stream().filter(IngestApp.class::isInstance).map(IngestApp.class::cast)
        .findFirst().orElseThrow();
  }

  /** The records of {@code verdicts} keyed {@code id}; a null value is a tombstone. */
  private static List<byte[]> verdictRecords(String id) {
    return Records.raw(kafka.settings(), Topics.VERDICTS.name()).stream()
        .filter(r -> r.key() != null && id.equals(new String(r.key(), StandardCharsets.UTF_8)))
        .map(ConsumerRecord::value).toList();
  }

  private static List<Deleted> audits(String id) {
    return Records.of(kafka.settings(), Topics.VIDEO_EVENTS, id).stream()
        .map(Records.Timed::value).filter(VideoEvent::hasDeleted).map(VideoEvent::getDeleted)
        .toList();
  }

  private static boolean listed(String id) throws Exception {
    return api.get("/v1/videos?limit=100").body().getJsonArray("videos").stream()
        .anyMatch(v -> id.equals(((JsonObject) v).getString("videoId")));
  }

  @Test
  void shouldRemoveFilesTombstoneTheVerdictAuditTheDeletionAndForgetTheVideo() throws Exception {
    String id = uploadShortClip();
    Path upload = media.resolve("videos").resolve(id + ".mp4");
    long uploadBytes = Files.size(upload);
    // a file of another layout below the evidence directory is the video's too
    Path extra = media.resolve("evidence").resolve(id).resolve("crops").resolve("0.jpg");
    Files.createDirectories(extra.getParent());
    Files.write(extra, new byte[321]);
    long[] evidence = evidenceFiles(id);
    assertTrue(evidence[0] >= 3, "decode's evidence files and the extra one: " + evidence[0]);
    assertTrue(listed(id));

    ApiClient other = new ApiClient(stack.apiUrl(), OTHER.key());
    assertEquals(404, other.delete("/v1/videos/" + id).status(), "another tenant's id is unknown");
    assertTrue(Files.exists(upload), "and nothing of it was removed");

    ApiClient.Response r = api.delete("/v1/videos/" + id);

    assertEquals(202, r.status(), r.body().encode());
    assertEquals(new JsonObject().put("videoId", id).put("status", "DELETED")
        .put("filesRemoved", 1 + evidence[0]).put("bytesRemoved", uploadBytes + evidence[1]),
        r.body());
    assertFalse(Files.exists(upload), "the upload is gone");
    assertFalse(Files.exists(media.resolve("evidence").resolve(id)), "its evidence too");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      List<byte[]> vs = verdictRecords(id);
      return !vs.isEmpty() && vs.get(vs.size() - 1) == null;
    });
    assertEquals(List.of(Deleted.newBuilder().setTenant("it").setReason("request")
        .setBy(KEY.key().substring(0, 12)).setFilesRemoved((int) (1 + evidence[0]))
        .setBytesRemoved(uploadBytes + evidence[1])
        .build()), audits(id));
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/videos/" + id).status() == 404);
    assertFalse(listed(id), "the listing forgets it");

    // a decode event still on its way when the video was deleted: the sink drops it
    try (KafkaProducer<byte[], byte[]> late = new KafkaProducer<>(
        kafka.settings().producer("deletion-it", false), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      late.send(Topics.VIDEO_EVENTS.record(id, VideoEvent.newBuilder().setVideoId(id)
          .setAtMs(System.currentTimeMillis()).setWorker("late/decode")
          .setProgress(Progress.newBuilder().setFramesDecoded(99)).build())).get();
    }
    int records = verdictRecords(id).size();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(
        () -> verdictRecords(id).size() == records && api.get("/v1/videos/" + id).status() == 404);
    assertNull(verdictRecords(id).get(records - 1), "the tombstone is still the last word");

    assertEquals(404, api.delete("/v1/videos/" + id).status(), "deleting again finds nothing");
    assertEquals(new VideoDeletion.Result(false, 0, 0), stackIngest().deletion().delete(id, "it",
        VideoDeletion.Reason.REQUEST, "key-1"), "nor does the service");
    assertEquals(1, audits(id).size(), "and audits nothing");
  }

  @Test
  void shouldDeleteAFinishedVideoPastItsRetentionTimeOnceWhateverTheReplicas() throws Exception {
    String id = uploadShortClip();
    Path upload = media.resolve("videos").resolve(id + ".mp4");
    long uploadBytes = Files.size(upload);
    long[] evidence = evidenceFiles(id);
    RetentionPolicy oneSecond = new RetentionPolicy(Duration.ofMillis(300),
        tenant -> Duration.ofSeconds(1));
    try (Replica a = new Replica(oneSecond); Replica b = new Replica(oneSecond)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(upload));
      await().atMost(Duration.ofSeconds(30)).until(() -> audits(id).size() == 1);
      // both replicas sweep every 300 ms; the one without the lease never deletes it again
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> audits(id).size() == 1);
      Deleted d = audits(id).get(0);
      assertEquals("retention", d.getReason());
      assertEquals(1 + evidence[0], d.getFilesRemoved());
      assertEquals(uploadBytes + evidence[1], d.getBytesRemoved());
      assertTrue(d.getBy().contains("/ingest-"), d.getBy());
      assertEquals(1, a.app.health().checks().values().stream()
          .filter(c -> c.startsWith("sweeps")).count()
          + b.app.health().checks().values().stream().filter(c -> c.startsWith("sweeps")).count(),
          "one replica holds the lease: " + a.app.health() + " " + b.app.health());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/videos/" + id).status() == 404);
  }

  /** A further ingest replica on the stack's cluster and media store. */
  private static final class Replica implements AutoCloseable {
    final IngestApp app;

    Replica(RetentionPolicy policy) throws Exception {
      app = new IngestApp(IngestConfig.fromEnv(Map.of(
          Settings.HTTP_HOST.env(), "127.0.0.1", Settings.HTTP_PORT.env(), "0",
          Settings.MEDIA_DIR.env(), media.toString(), Settings.API_KEYS.env(), KEY.entry()),
          kafka.settings()).withRetention(policy),
          StageContext.local());
      app.start();
    }

    @Override
    public void close() {
      app.close();
    }
  }
}
