package io.framewatch.tests;

import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic back in tests: every record of one key so far, in offset order per partition. */
public final class Records {
  private Records() {}

  /** Every value of {@code topic} keyed {@code key} so far, with its record's timestamp. */
  public static <V> List<Timed<V>> of(KafkaSettings kafka, Topic<String, V> topic, String key) {
    return of(kafka, topic, key::equals);
  }

  /** Every value of {@code topic} whose key passes {@code key} so far. */
  public static <V> List<Timed<V>> of(KafkaSettings kafka, Topic<String, V> topic,
      java.util.function.Predicate<String> key) {
    List<Timed<V>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(
        "it-read-" + UUID.randomUUID(), "it-read", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          if (r.key() == null
              || !key.test(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
            continue;
          }
          try {
            V v = topic.value(r.value());
            if (v != null) {
              out.add(new Timed<>(v, r.timestamp()));
            }
          } catch (SerializationException junk) {
            // another test's junk, which the stages dead-letter
          }
        }
      }
    }
    return out;
  }

  /** A value and its record's timestamp. */
  public record Timed<V>(V value, long timestampMs) {}
}
