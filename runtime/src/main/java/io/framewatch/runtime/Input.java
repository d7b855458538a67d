package io.framewatch.runtime;

import java.util.function.BooleanSupplier;
import org.apache.kafka.common.header.Headers;

/**
 * One decoded input record handed to a handler, with its place in the log and whether the work
 * was cancelled (the partition was revoked or the worker is stopping).
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Input<K, V> {
  private final K key;
  private final V value;
  private final String topic;
  private final int partition;
  private final long offset;
  private final long timestamp;
  private final Headers headers;
  private final BooleanSupplier cancelled;
  private final String previousMetadata;

  Input(K key, V value, String topic, int partition, long offset, long timestamp, Headers headers,
      BooleanSupplier cancelled, String previousMetadata) {
    this.previousMetadata = previousMetadata;
    this.key = key;
    this.value = value;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.headers = headers;
    this.cancelled = cancelled;
  }

  /** The record key. */
  public K key() {
    return key;
  }

  /** The record value, never null (tombstones are skipped by the loop). */
  public V value() {
    return value;
  }

  /** The topic the record was read from. */
  public String topic() {
    return topic;
  }

  /** Its partition. */
  public int partition() {
    return partition;
  }

  /** Its offset. */
  public long offset() {
    return offset;
  }

  /** Its Kafka timestamp (ms). */
  public long timestamp() {
    return timestamp;
  }

  /** Its headers. */
  public Headers headers() {
    return headers;
  }

  /**
   * True once the work should stop without finishing: the worker is shutting down or the
   * partition went to another worker, which will redo the record. A long handler polls this.
   */
  public boolean cancelled() {
    return cancelled.getAsBoolean();
  }

  /**
   * The metadata committed with this partition's offset when this worker was given the partition
   * (what the previous owner recorded, e.g. the live streams it was running); empty if none.
   */
  public String previousMetadata() {
    return previousMetadata;
  }

  /** {@code topic-partition@offset}, for logs and reasons. */
  public String origin() {
    return topic + "-" + partition + "@" + offset;
  }
}
