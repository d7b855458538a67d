package io.framewatch.topic;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * A typed topic: its name, how it is laid out on the broker and how its records are encoded.
 *
 * @param name topic name
 * @param partitions partitions created by default (the unit of consumer scale-out)
 * @param config topic-level configuration applied at creation (e.g. {@code max.message.bytes})
 * @param keySerde serde of keys
 * @param valueSerde serde of values
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(
    String name, int partitions, Map<String, String> config, Serde<K> keySerde, Serde<V> valueSerde) {

  /** Validates the topic definition. */
  public Topic {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
    }
    config = Map.copyOf(config);
  }

  /** A raw record for this topic, serialised with its serdes (for byte[] producers). */
  public ProducerRecord<byte[], byte[]> record(K key, V value) {
    return new ProducerRecord<>(name, keySerde.serializer().serialize(name, key),
        valueSerde.serializer().serialize(name, value));
  }

  /** Deserialises a raw value of this topic. */
  public V value(byte[] raw) {
    return valueSerde.deserializer().deserialize(name, raw);
  }
}
