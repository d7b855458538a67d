package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/** Builds dead-letter records: the original bytes, with where they came from and why in headers. */
public final class DeadLetters {
  /** Header naming the stage that gave up on the record. */
  public static final String STAGE = "fw.dlq.stage";
  /** Header with the human-readable cause. */
  public static final String REASON = "fw.dlq.reason";
  /** Header with the source topic-partition@offset. */
  public static final String ORIGIN = "fw.dlq.origin";

  private DeadLetters() {}

  /** A dead-letter record for {@code failed}, which {@code stage} could not process. */
  public static ProducerRecord<byte[], byte[]> of(
      ConsumerRecord<byte[], byte[]> failed, String stage, String reason) {
    return build(failed.key(), failed.value(), failed.headers(),
        failed.topic() + "-" + failed.partition() + "@" + failed.offset(), stage, reason);
  }

  /**
   * A dead-letter record for a decoded input that {@code stage} gave up on (in part: one of
   * several deliveries, say), its key and value encoded again with {@code topic}'s serdes.
   */
  public static <K, V> ProducerRecord<byte[], byte[]> of(Topic<K, V> topic, Input<K, V> failed,
      String stage, String reason) {
    ProducerRecord<byte[], byte[]> encoded = topic.record(failed.key(), failed.value());
    return build(encoded.key(), encoded.value(), failed.headers(), failed.origin(), stage, reason);
  }

  private static ProducerRecord<byte[], byte[]> build(byte[] key, byte[] value, Headers original,
      String origin, String stage, String reason) {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(Topics.DEAD_LETTERS.name(), key, value);
    Headers h = out.headers();
    original.forEach(h::add);
    h.add(STAGE, stage.getBytes(StandardCharsets.UTF_8));
    h.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    h.add(ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
    return out;
  }
}
