package io.framewatch.tests;

import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a video's events back from {@code video.events}, for the live tests. */
public final class VideoEventLog {
  private VideoEventLog() {}

  /** Every event of {@code videoId} on {@code video.events} so far, in order. */
  public static List<VideoEvent> events(KafkaSettings kafka, String videoId) {
    List<VideoEvent> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(
        "it-events-" + UUID.randomUUID(), "it-events", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.VIDEO_EVENTS.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          VideoEvent e;
          try {
            e = Topics.VIDEO_EVENTS.value(r.value());
          } catch (SerializationException junk) {
            continue; // another test's junk, which the sink dead-letters
          }
          if (e != null && e.getVideoId().equals(videoId)) {
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  /** The worker that opened the stream last (its latest Probe). */
  public static String owner(KafkaSettings kafka, String videoId) {
    List<VideoEvent> probes = events(kafka, videoId).stream().filter(VideoEvent::hasProbe)
        .toList();
    return probes.get(probes.size() - 1).getWorker();
  }

  /** The RESUMED event of a takeover from {@code previous}. */
  public static Optional<VideoEvent> resumed(KafkaSettings kafka, String videoId,
      String previous) {
    return events(kafka, videoId).stream().filter(VideoEvent::hasStream)
        .filter(e -> e.getStream().getKind() == StreamEvent.Kind.RESUMED
            && e.getStream().getPreviousWorker().equals(previous)).findFirst();
  }
}
