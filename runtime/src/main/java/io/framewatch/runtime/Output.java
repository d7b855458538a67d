package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where a handler publishes the results of one input record. Every send is tracked: the input's
 * offset is committed only after all of them are acknowledged by the broker.
 */
public interface Output {
  /**
   * Sends one record (asynchronously).
   *
   * @param topic the typed topic; its serdes encode key and value
   * @param key record key
   * @param value record value
   * @param <K> key type
   * @param <V> value type
   */
  <K, V> void send(Topic<K, V> topic, K key, V value);

  /**
   * Sends a record already encoded, headers included (e.g. a dead letter built by
   * {@link DeadLetters}), tracked like every other send.
   *
   * @param record the record
   */
  void send(ProducerRecord<byte[], byte[]> record);

  /**
   * Blocks until everything sent so far is acknowledged, resending failed records with backoff.
   *
   * @throws PublishException when a record still cannot be published after the retries
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void flush() throws PublishException, InterruptedException;
}
