package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.detect.DetectConfig;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The demo's path on real parts: real broker, real FFmpeg, real BlazeFace, real Kafka Streams,
 * two real face clips uploaded over HTTP.
 */
class PipelineIT extends StackTestBase {

  @Test
  void shouldAccountForEverySampledFrameExactlyOnceAndFindFranckInAlmostAllOfThem()
      throws Exception {
    Path cache = ModelStore.fromEnvironment().cacheDir();
    String franck = api.upload(SampleMedia.FRANCK_MP4.fetch(cache));
    String cap12 = api.upload(SampleMedia.CAP12_MP4.fetch(cache));

    JsonObject f = awaitTerminal(franck);
    JsonObject c = awaitTerminal(cap12);
    for (JsonObject v : List.of(f, c)) {
      assertEquals("FINAL", v.getString("status"), v.encodePrettily());
      assertEquals(v.getLong("framesExpected"), v.getLong("framesAnalyzed"));
      // the shipped demo detectors are installed by default: every verdict names the ones used
      Set<String> installed = Set.copyOf(List.of(DetectConfig.DEFAULT_CLASSIFIER,
          DetectConfig.DEFAULT_COMPRESSED_CLASSIFIER));
      for (String m : v.getString("model").split("\\+")) {
        assertTrue(installed.contains(m) && !m.equals("none"), "verdict model " + m);
      }
      Double score = v.getDouble("score");
      assertNotNull(score, v.encodePrettily());
      assertTrue(score >= 0 && score <= 1, "score " + score);
      assertEquals(0L, v.getLong("framesFailed"));
    }
    // 200 s at 2 samples/s; 53.5 s -> 107 half-second slots
    assertEquals(400L, f.getLong("framesExpected"));
    assertEquals(107L, c.getLong("framesExpected"));
    assertEquals(360, f.getJsonObject("probe").getInteger("width"));
    double withFaces = (double) f.getLong("framesWithFaces") / f.getLong("framesAnalyzed");
    assertTrue(withFaces >= 0.95, "faces found in " + withFaces + " of franck's frames");
    // one talking face: the sink links almost all of franck's faces into one track
    long longest = f.getJsonArray("tracks").stream().map(JsonObject.class::cast)
        .mapToLong(t -> t.getLong("frames")).max().orElse(0);
    assertTrue(longest >= 0.9 * f.getLong("facesDetected"),
        "longest track " + longest + " of " + f.getLong("facesDetected") + " faces: "
            + f.getJsonArray("tracks").encode());
    assertEquals(f.getDouble("scoreTrackMax"), f.getDouble("decisionScore"));

    // On the topics: one frame record and one analysis per sample index, none twice.
    Map<String, List<Long>> frames = readAll(Topics.FRAMES_DETECT, FrameRecord::getVideoId,
        FrameRecord::getSampleIndex);
    Map<String, List<Long>> analyses = readAll(Topics.DETECTIONS, FrameAnalysis::getVideoId,
        FrameAnalysis::getSampleIndex);
    for (JsonObject v : List.of(f, c)) {
      String id = v.getString("videoId");
      long expected = v.getLong("framesExpected");
      for (Map<String, List<Long>> topic : List.of(frames, analyses)) {
        List<Long> idx = topic.get(id);
        assertNotNull(idx);
        assertEquals(expected, idx.size(), "records for " + id);
        assertEquals(expected, Set.copyOf(idx).size(), "distinct sample indices for " + id);
        assertEquals(expected - 1, idx.stream().mapToLong(Long::longValue).max().orElseThrow());
      }
    }
  }

  private static <V> Map<String, List<Long>> readAll(Topic<String, V> topic,
      java.util.function.Function<V, String> video, java.util.function.Function<V, Long> index) {
    Map<String, Object> props = new HashMap<>(kafka.settings().consumer(
        "it-reader-" + UUID.randomUUID(), "it-reader", true));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    Map<String, List<Long>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var parts = consumer.partitionsFor(topic.name()).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
      await().atMost(Duration.ofMinutes(1)).until(() -> {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          V v = topic.value(r.value());
          out.computeIfAbsent(video.apply(v), k -> new ArrayList<>()).add(index.apply(v));
        }
        return parts.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    return out;
  }
}
