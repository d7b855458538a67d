package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.FrameRecord;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Bursts asked for at upload are super-resolved by enhance/ with the shipped burstnc-x3: one
 * enhanced reference frame per burst on frames.enhanced, three times the burst's size, and -
 * shrunk back by 3x3 averaging - close to the reference frame it came from.
 */
class EnhanceIT extends StackTestBase {

  @Test
  void shouldPublishOneEnhancedFramePerBurstAtThreeTimesItsSize() throws Exception {
    var clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    var resp = api.post(clip, Map.of("maxFrames", "4", "burstFrames", "5",
        "burstEverySeconds", "20", "burstMaxSide", "160"));
    assertEquals(202, resp.status(), resp.body().encode());
    String id = resp.body().getString("videoId");
    awaitTerminal(id);

    Map<Long, Burst> bursts = new HashMap<>();
    Map<Long, EnhancedFrame> enhanced = new HashMap<>();
    Map<String, Object> props = new HashMap<>(kafka.settings().consumer(
        "it-enhance-" + UUID.randomUUID(), "it-enhance", true));
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new java.util.ArrayList<>();
      for (String t : List.of(Topics.FRAMES_ENHANCE.name(), Topics.FRAMES_ENHANCED.name())) {
        c.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      // 53.5 s with a burst every 20 s: bursts at 0, 20 and 40 s
      await().atMost(Duration.ofMinutes(3)).until(() -> {
        for (var r : c.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(Topics.FRAMES_ENHANCE.name())) {
            Burst b = Topics.FRAMES_ENHANCE.value(r.value());
            if (b.getVideoId().equals(id)) {
              bursts.put(b.getBurstIndex(), b);
            }
          } else {
            EnhancedFrame e = Topics.FRAMES_ENHANCED.value(r.value());
            if (e.getVideoId().equals(id)) {
              enhanced.put(e.getBurstIndex(), e);
            }
          }
        }
        return bursts.size() == 3 && enhanced.size() == 3;
      });
    }
    for (EnhancedFrame e : enhanced.values()) {
      Burst b = bursts.get(e.getBurstIndex());
      FrameRecord ref = b.getFrames(b.getReference());
      assertEquals("burstnc-x3", e.getModelId());
      assertEquals(5, e.getFramesUsed());
      assertEquals(3, e.getScale());
      assertEquals(ref.getWidth() * 3, e.getWidth());
      assertEquals(ref.getHeight() * 3, e.getHeight());
      assertEquals(ref.getFrameIndex(), e.getFrameIndex());
      assertEquals(3 * e.getWidth() * e.getHeight(), e.getBgr().size());
      double diff = meanDifferenceOfLuma(ref, e);
      assertTrue(diff < 4.0, "burst " + e.getBurstIndex() + ": 3x3-averaged output differs from"
          + " the reference by " + diff + " grey levels on average");
    }
  }

  @Test
  void shouldTellTheSinkWhyAnEvidenceBurstItCannotEnhanceHasNoCropAndDeadLetterTheBurst()
      throws Exception {
    // an evidence burst without frames: enhance cannot super-resolve it
    String id = "it-bad-burst-" + UUID.randomUUID();
    Burst bad = Burst.newBuilder().setVideoId(id).setBurstIndex(0).setReference(0)
        .setEvidence(io.framewatch.proto.EvidenceTarget.newBuilder().setSampleIndex(7)
            .setFaceIndex(0).setTrackId(1).setFile(io.framewatch.runtime.VideoFiles
                .enhancedName(7, 0)))
        .build();
    try (var p = new org.apache.kafka.clients.producer.KafkaProducer<>(
        kafka.settings().producer("it-bad-burst", true),
        Topics.FRAMES_ENHANCE.keySerde().serializer(),
        Topics.FRAMES_ENHANCE.valueSerde().serializer())) {
      p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
          Topics.FRAMES_ENHANCE.name(), id + "/evidence/7", bad)).get();
    }
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      var events = Records.of(kafka.settings(), Topics.VIDEO_EVENTS, id);
      assertTrue(events.stream().anyMatch(e -> e.value().hasEvidence()
          && e.value().getEvidence().getEnhanced().getError().contains("0 frames")
          && e.value().getEvidence().getEnhanced().getFile().equals("s7-f0-sr.png")),
          "no EvidenceStored with the reason among " + events);
      assertTrue(Records.raw(kafka.settings(), Topics.DEAD_LETTERS.name()).stream()
          .anyMatch(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)
              .equals(id + "/evidence/7")
              && Records.header(r, io.framewatch.runtime.DeadLetters.REASON).contains("0 frames")),
          "the burst is not dead-lettered with the cause");
    });
  }

  /** Mean |Y(reference) - Y(3x3 average of the enhanced frame)| over the frame, 0-255. */
  private static double meanDifferenceOfLuma(FrameRecord ref, EnhancedFrame e) {
    var rgb = io.framewatch.frames.FrameImages.toRgb(ref).rgb();
    byte[] bgr = e.getBgr().toByteArray();
    int w = ref.getWidth();
    int h = ref.getHeight();
    int ew = e.getWidth();
    double sum = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int dy = 0; dy < 3; dy++) {
          for (int dx = 0; dx < 3; dx++) {
            int o = 3 * ((3 * y + dy) * ew + 3 * x + dx);
            acc += luma(bgr[o + 2] & 0xff, bgr[o + 1] & 0xff, bgr[o] & 0xff);
          }
        }
        int i = 3 * (y * w + x);
        sum += Math.abs(acc / 9 - luma(rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff));
      }
    }
    return sum / (w * h);
  }

  private static double luma(int r, int g, int b) {
    return 0.299 * r + 0.587 * g + 0.114 * b;
  }
}
