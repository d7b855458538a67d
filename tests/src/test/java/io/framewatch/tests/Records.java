package io.framewatch.tests;

import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads topics back in tests: every record so far, in offset order per partition. */
public final class Records {
  private Records() {}

  /** Every record of {@code topic} so far, as stored (dead letters, headers). */
  public static List<ConsumerRecord<byte[], byte[]>> raw(KafkaSettings kafka, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(
        "it-read-" + UUID.randomUUID(), "it-read", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Every value of {@code topic} keyed {@code key} so far, with its record's timestamp. */
  public static <V> List<Timed<V>> of(KafkaSettings kafka, Topic<String, V> topic, String key) {
    return of(kafka, topic, key::equals);
  }

  /** Every value of {@code topic} whose key passes {@code key} so far. */
  public static <V> List<Timed<V>> of(KafkaSettings kafka, Topic<String, V> topic,
      Predicate<String> key) {
    List<Timed<V>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : raw(kafka, topic.name())) {
      if (r.key() == null || !key.test(new String(r.key(), StandardCharsets.UTF_8))) {
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
    return out;
  }

  /** The value of header {@code name} of {@code r}, or null. */
  public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** A value and its record's timestamp. */
  public record Timed<V>(V value, long timestampMs) {}
}
