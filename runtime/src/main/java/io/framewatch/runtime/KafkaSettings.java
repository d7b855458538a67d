package io.framewatch.runtime;

import io.framewatch.topic.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings every stage shares: where the broker is and the sizes that frame records need
 * (the client defaults are 1 MiB; one sampled 640-px frame is 0.1-1.4 MB).
 *
 * @param bootstrap {@code host:port[,host:port]} of the Kafka cluster
 */
public record KafkaSettings(String bootstrap) {
  /** Consumer session timeout of every stage: how soon a crashed member's work moves. */
  public static final int SESSION_TIMEOUT_MS = 10_000;

  /** Validates the bootstrap list. */
  public KafkaSettings {
    if (bootstrap == null || bootstrap.isBlank() || !bootstrap.contains(":")) {
      throw new IllegalArgumentException(
          "Kafka bootstrap must be host:port[,host:port], got '" + bootstrap + "'");
    }
  }

  /** Admin client properties. */
  public Map<String, Object> admin() {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  /**
   * Idempotent, acks=all producer. Frame and burst producers send their records uncompressed:
   * raw YUV planes gain little from a fast lossless codec, and the codec costs CPU three times
   * (the sending stage's thread compresses, the broker decompresses to validate, the consumer
   * decompresses). Measured with {@code framewatch bench screen} (docs/PERFORMANCE.md): lz4 cost
   * about 4 CPU seconds per 600 sampled 720p frames, a fifth of the whole job; zstd was slower
   * still ({@code framewatch bench decode}).
   *
   * @param clientId client id shown in broker logs and metrics
   * @param largeRecords true for producers of frames and bursts
   */
  public Map<String, Object> producer(String clientId, boolean largeRecords) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    if (largeRecords) {
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.LARGE_RECORD_BYTES);
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
      p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
      // the OS's socket buffer, which grows with the traffic, instead of a fixed 128 KiB that
      // splits each half-megabyte frame into several writes
      p.put(ProducerConfig.SEND_BUFFER_CONFIG, -1);
    }
    return p;
  }

  /**
   * Consumer in {@code group} with manual commits, starting from the earliest offset.
   *
   * @param largeRecords true for consumers of frames and bursts
   */
  public Map<String, Object> consumer(String group, String clientId, boolean largeRecords) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Incremental rebalancing: a member joining or leaving moves only the partitions that must
    // move, so the other members' running jobs (live streams above all) are not cut short.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    // A crashed member's partitions (its uncommitted jobs, a live stream) move after this long
    // without heartbeats; Kafka's 45 s default would leave a stream dark for most of a minute.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
    if (largeRecords) {
      p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.LARGE_RECORD_BYTES);
      p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * Topics.LARGE_RECORD_BYTES);
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
      p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1);
    }
    return p;
  }
}
