package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.bench.LoopbackStream;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameRecord;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A live stream through the whole stack: the bundled ffmpeg serves MPEG-TS over HTTP on loopback
 * in real time, the API starts the stream, frames reach the frame topic and the detector, and a
 * stop makes the verdict FINAL with every sampled frame accounted for. Records the latency from
 * the decoder to the topic and the spread against the source's clock (docs/PERFORMANCE.md).
 */
class LiveStreamIT extends StackTestBase {

  @Test
  void shouldAnalyseALiveStreamUntilStoppedAndReportItsLatency() throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    long sourceStart = System.currentTimeMillis();
    try (LoopbackStream source = new LoopbackStream(clip)) {
      String id = api.startStream(source.url());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id).getLong("framesAnalyzed", 0L) >= 10);
      api.stopStream(id);
      JsonObject v = awaitTerminal(id);
      assertEquals("FINAL", v.getString("status"), v.encodePrettily());
      assertEquals(v.getLong("framesExpected"), v.getLong("framesAnalyzed"));
      assertTrue(v.getLong("framesWithFaces") > 0, "the clip's face is found live");

      List<Long> latencies = new ArrayList<>();
      List<Long> publish = new ArrayList<>();
      Map<String, Object> props = new HashMap<>(kafka.settings().consumer(
          "it-live-" + UUID.randomUUID(), "it-live", true));
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props,
          new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> parts = c.partitionsFor(Topics.FRAMES_DETECT.name()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          for (var r : c.poll(Duration.ofMillis(200))) {
            FrameRecord f = Topics.FRAMES_DETECT.value(r.value());
            if (f.getVideoId().equals(id)) {
              latencies.add(r.timestamp() - (sourceStart + f.getSourcePtsUs() / 1000));
              publish.add(r.timestamp() - f.getDecodedAtMs());
            }
          }
          return parts.stream().allMatch(p -> c.position(p) >= end.get(p));
        });
      }
      assertEquals(v.getLong("framesExpected").intValue(), latencies.size());
      // The stream carries no capture clock, so the source side is only known up to a constant:
      // report its spread (how much later than the steadiest frame a frame arrived), plus the
      // exact time from a frame leaving the decoder to its acknowledged append on the topic.
      Collections.sort(latencies);
      Collections.sort(publish);
      long min = latencies.get(0);
      System.out.printf("live: %d frames; decode-to-topic p50 %d ms, max %d ms; source-clock"
          + " spread p50 %d ms, max %d ms%n", latencies.size(), publish.get(publish.size() / 2),
          publish.get(publish.size() - 1), latencies.get(latencies.size() / 2) - min,
          latencies.get(latencies.size() - 1) - min);
      assertTrue(publish.get(publish.size() / 2) < 1000, "decode-to-topic " + publish);
    }
  }
}
