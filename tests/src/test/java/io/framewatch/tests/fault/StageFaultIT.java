package io.framewatch.tests.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.bench.LoopbackStream;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.DeadLetters;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.tests.Records;
import io.framewatch.tests.VideoEventLog;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults the way operators meet them: a standalone broker and every stage in a JVM of its own
 * ({@code framewatch broker}, {@code framewatch run STAGE}), two real clips, and each of decode,
 * detect and sink killed mid-file with SIGKILL or SIGTERM and replaced by a fresh process. The
 * verdicts must equal the clean run's: same frames expected and analysed, faces, mean and max
 * score within 1e-6, nothing counted twice. Records a stage cannot read go to the dead letters
 * and the stage keeps going. Runs in the {@code fault} Maven profile ({@code .ci/run} enables it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StageFaultIT {
  private static Path dir;
  private static String bootstrap;
  private static StageProcess broker;
  private static Fleet fleet;
  private static List<Path> clips;
  private static List<JsonObject> reference;

  @BeforeAll
  static void startFleet() throws Exception {
    dir = Files.createTempDirectory("framewatch-fault");
    Path cache = ModelStore.fromEnvironment().cacheDir();
    clips = List.of(SampleMedia.FRANCK_MP4.fetch(cache), SampleMedia.CAP12_MP4.fetch(cache));
    int port = Fleet.freePort();
    broker = StageProcess.start("broker", dir, Map.of(), "broker", "--port",
        Integer.toString(port)).awaitOutput("Kafka broker at", Fleet.START);
    bootstrap = "127.0.0.1:" + port;
    fleet = new Fleet(dir, bootstrap, Map.of());
    reference = fleet.run(clips, null);
    Fleet.assertSameVerdicts(reference, reference, "clean run");
    System.out.printf("fault reference: %s%n", Fleet.summary(reference));
  }

  @AfterAll
  static void stopFleet() {
    if (fleet != null) {
      fleet.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of("decode", "detect", "sink").flatMap(s ->
        Stream.of(Arguments.of(s, "KILL"), Arguments.of(s, "TERM")));
  }

  @Order(1)
  @ParameterizedTest(name = "{1} of {0} mid-file")
  @MethodSource("faults")
  void shouldGiveTheCleanRunsVerdictsWhenAStageProcessIsKilledMidFile(String stage,
      String signal) throws Exception {
    List<JsonObject> faulted = fleet.run(clips, first -> {
      if (stage.equals("decode")) {
        // mid-decode: probed, some frames analysed, end of video not yet published
        await().atMost(Fleet.START).pollInterval(Duration.ofMillis(100)).until(() -> {
          JsonObject v = fleet.api().status(first);
          return v.containsKey("probe") && v.getValue("framesExpected") == null
              && v.getLong("framesAnalyzed", 0L) >= 10;
        });
      } else {
        fleet.awaitAnalysed(first, 60);
      }
      StageProcess victim = fleet.get(stage);
      if (signal.equals("KILL")) {
        victim.kill();
      } else {
        assertEquals(143, victim.terminate(), stage + " on SIGTERM: " + victim.tail());
      }
      fleet.replace(stage);
    });
    System.out.printf("fault %s of %s: %s%n", signal, stage, Fleet.summary(faulted));
    Fleet.assertSameVerdicts(reference, faulted, signal + " of " + stage);
  }

  @Order(2)
  @Test
  void shouldDeadLetterMalformedRecordsOnEveryTopicAStageReadsAndKeepGoing() throws Exception {
    String tag = "junk-" + UUID.randomUUID();
    Random rnd = new Random(7);
    byte[] random = new byte[512];
    rnd.nextBytes(random);
    byte[] truncated = java.util.Arrays.copyOf(FrameRecord.newBuilder().setVideoId(tag)
        .setWidth(640).setHeight(480).build().toByteArray(), 9);
    byte[] wrongType = VideoEvent.newBuilder().setVideoId(tag).setWorker("junk").build()
        .toByteArray();
    byte[] oversize = FrameRecord.newBuilder().setVideoId(tag).setWidth(60_000)
        .setHeight(60_000).setPixelFormat(PixelFormat.YUV420P).addStrides(60_000)
        .addStrides(30_000).addStrides(30_000).build().toByteArray();
    Map<String, List<byte[]>> junk = new LinkedHashMap<>();
    junk.put(Topics.VIDEO_JOBS.name(), List.of(random, truncated));
    junk.put(Topics.FRAMES_DETECT.name(), List.of(random, truncated, wrongType, oversize));
    junk.put(Topics.FRAMES_ENHANCE.name(), List.of(random, truncated));
    junk.put(Topics.DETECTIONS.name(), List.of(random, truncated));
    junk.put(Topics.VIDEO_EVENTS.name(), List.of(random, truncated));
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
        new KafkaSettings(bootstrap).producer("fault-junk", true), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (var e : junk.entrySet()) {
        for (byte[] v : e.getValue()) {
          p.send(new ProducerRecord<>(e.getKey(), (tag + "/" + sent++)
              .getBytes(StandardCharsets.UTF_8), v)).get();
        }
      }
    }
    int expected = sent;
    Map<String, String> reasons = new HashMap<>();
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      reasons.putAll(deadLetters(tag));
      return reasons.size() >= expected;
    });
    reasons.forEach((k, r) -> assertTrue(!r.isBlank(), k + " has no reason"));
    assertTrue(reasons.values().stream().anyMatch(r -> r.contains("outside 1..8192")),
        "the oversize frame is refused before allocation: " + reasons);
    System.out.printf("fault junk: %d records dead-lettered, e.g. %s%n", reasons.size(),
        reasons.values().stream().limit(3).toList());
    for (StageProcess s : fleet.processes()) {
      assertTrue(s.alive(), "a stage died of junk: " + s.tail());
    }
    Fleet.assertSameVerdicts(reference, fleet.run(clips, null), "the next real job after junk");
  }

  @Order(3)
  @Test
  void shouldResumeALiveStreamOnTheSurvivingDecodeProcessWhenItsOwnerIsKilled()
      throws Exception {
    fleet.add("decode-2", "decode");
    KafkaSettings kafka = new KafkaSettings(bootstrap);
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    try (LoopbackStream source = new LoopbackStream(clip)) {
      String id = fleet.api().startStream(source.url());
      fleet.awaitAnalysed(id, 8);
      String owner = VideoEventLog.owner(kafka, id);
      StageProcess victim = fleet.get("decode").pid() == pidOf(owner) ? fleet.get("decode")
          : fleet.get("decode-2");
      StageProcess survivor = victim == fleet.get("decode") ? fleet.get("decode-2")
          : fleet.get("decode");
      long before = fleet.api().status(id).getLong("framesAnalyzed");
      victim.kill();
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> VideoEventLog.resumed(kafka, id, owner).isPresent());
      VideoEvent r = VideoEventLog.resumed(kafka, id, owner).orElseThrow();
      assertEquals(survivor.pid(), pidOf(r.getWorker()), "resumed on the surviving process");
      assertTrue(r.getStream().getGapMs() > 0, r.toString());
      fleet.awaitAnalysed(id, before + 6);
      fleet.api().stopStream(id);
      JsonObject v = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> fleet.api().status(id),
              s -> List.of("FINAL", "FAILED").contains(s.getString("status")));
      assertEquals("FINAL", v.getString("status"), v.encodePrettily());
      assertEquals(v.getLong("framesExpected"), v.getLong("framesAnalyzed"), v.encodePrettily());
      System.out.printf("fault KILL of the live stream's decode process: %d samples before,"
          + " %d/%d in all, RESUMED after a %d ms gap%n", before, v.getLong("framesAnalyzed"),
          v.getLong("framesExpected"), r.getStream().getGapMs());
    }
  }

  /** The process id in a decode worker's name ({@code host/decode-PID-suffix}). */
  private static long pidOf(String worker) {
    String[] parts = worker.substring(worker.lastIndexOf("/decode-") + 8).split("-");
    return Long.parseLong(parts[0]);
  }

  /** Dead letters whose key starts with {@code tag}: key to reason. */
  private static Map<String, String> deadLetters(String tag) {
    Map<String, String> out = new HashMap<>();
    for (var r : Records.raw(new KafkaSettings(bootstrap), Topics.DEAD_LETTERS.name())) {
      String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
      if (key.startsWith(tag)) {
        // our stages' reason header, or what Kafka Streams' dead-letter handler writes
        String reason = "";
        for (var h : r.headers()) {
          String k = h.key();
          if (k.equals(DeadLetters.REASON) || reason.isEmpty() && k.contains("message")) {
            reason = h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
          }
        }
        out.put(key, reason);
      }
    }
    return out;
  }

}
