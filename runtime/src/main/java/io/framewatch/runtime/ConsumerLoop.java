package io.framewatch.topic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer thread of a stage: polls raw records, hands each to a {@link Handler}, and commits
 * only after everything the handler produced is acknowledged (at-least-once; downstream
 * reconciles duplicates). Records the handler rejects follow the {@link FailurePolicy}.
 */
public final class ConsumerLoop implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);

  /** Processes one record, publishing results through {@code out}. */
  @FunctionalInterface
  public interface Handler {
    /**
     * @param record the raw record
     * @param out producer for results (byte[] keys and values; use the topic serdes)
     * @throws Exception when the record cannot be processed; the failure policy applies
     */
    void handle(ConsumerRecord<byte[], byte[]> record, Producer<byte[], byte[]> out)
        throws Exception;
  }

  private final String stage;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Handler handler;
  private final FailurePolicy policy;
  private final AutoCloseable owned;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * @param stage stage name, used in logs and dead-letter headers
   * @param topic topic to consume
   * @param consumerProps consumer settings (group, sizes); serializers are set here
   * @param producerProps producer settings; serializers are set here
   * @param handler the work
   * @param policy what to do with records the handler rejects
   * @param owned resources of the handler (models, grabbers), closed when the loop ends
   */
  public ConsumerLoop(String stage, String topic, Map<String, Object> consumerProps,
      Map<String, Object> producerProps, Handler handler, FailurePolicy policy,
      AutoCloseable owned) {
    this.stage = stage;
    this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
        new ByteArraySerializer());
    this.handler = handler;
    this.policy = policy;
    this.owned = owned;
    consumer.subscribe(List.of(topic));
  }

  @Override
  public void run() {
    try {
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        if (batch.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          process(r);
        }
        producer.flush();
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("{} worker stopped: {}", stage, e.toString(), e);
      throw e;
    } finally {
      try (AutoCloseable resources = owned) {
        producer.close(Duration.ofSeconds(10));
        consumer.close();
      } catch (Exception e) {
        LOG.warn("{} worker: closing its resources failed: {}", stage, e.toString());
      } finally {
        stopped.countDown();
      }
    }
  }

  private void process(ConsumerRecord<byte[], byte[]> r) {
    try {
      handler.handle(r, producer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    } catch (Exception e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      switch (policy) {
        case FAIL -> throw new IllegalStateException(stage + " cannot process "
            + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + reason, e);
        case SKIP_AND_LOG -> LOG.warn("{} skipped {}-{}@{}: {}", stage, r.topic(), r.partition(),
            r.offset(), reason);
        case DEAD_LETTER -> {
          LOG.warn("{} dead-lettered {}-{}@{}: {}", stage, r.topic(), r.partition(), r.offset(),
              reason);
          producer.send(DeadLetters.of(r, stage, reason));
        }
      }
    }
  }

  /** Stops polling, finishes the current record, commits and closes the clients. */
  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
