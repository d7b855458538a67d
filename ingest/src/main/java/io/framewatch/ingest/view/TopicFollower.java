package io.framewatch.ingest.view;

import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read view's reader: one thread and one consumer assigned every partition of
 * {@code verdicts}, {@code alerts} and {@code video.timeline}, read from the beginning without a
 * consumer group (nothing is committed; a restarted replica reads everything again). It has
 * caught up once it has read up to the end offsets the partitions had when it found them.
 * Partitions added later are found within a lookup interval and read from their beginning.
 */
final class TopicFollower {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
  private static final List<String> TOPICS = List.of(Topics.VERDICTS.name(),
      Topics.ALERTS.name(), Topics.VIDEO_TIMELINE.name());
  private static final long LOOKUP_NS = TimeUnit.SECONDS.toNanos(30);
  private static final long RETRY_NS = TimeUnit.SECONDS.toNanos(1);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Consumer<ConsumerRecords<byte[], byte[]>> sink;
  private final Thread thread;
  private final Runnable onDeath;
  private final Set<TopicPartition> assigned = new HashSet<>();
  /** Partitions not yet read up to the end they had when found. */
  private final Map<TopicPartition, Long> behind = new HashMap<>();
  private final Set<String> found = new HashSet<>();
  private volatile boolean closing;
  private volatile boolean caughtUp;
  private volatile Throwable failure;
  private volatile String progress = "looking up partitions";

  TopicFollower(KafkaSettings kafka, Consumer<ConsumerRecords<byte[], byte[]>> sink,
      Runnable onDeath) {
    Map<String, Object> p = kafka.admin();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "framewatch-ingest-view-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The sink writes all three topics in transactions: never show an aborted record.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.sink = sink;
    this.onDeath = onDeath;
    this.thread = new Thread(this::run, "ingest-read-view");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try {
      long nextLookup = System.nanoTime();
      while (!closing) {
        if (System.nanoTime() - nextLookup >= 0) {
          lookUpPartitions();
          nextLookup = System.nanoTime() + (found.size() < TOPICS.size() ? RETRY_NS : LOOKUP_NS);
        }
        if (assigned.isEmpty()) {
          Thread.sleep(100); // nothing to poll until a topic exists
          continue;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          sink.accept(records);
        }
        if (!caughtUp) {
          checkCaughtUp();
        }
      }
    } catch (InterruptedException | RuntimeException | Error e) { // close() stops it by wakeup()
      if (!closing) {
        failure = e;
        LOG.error("the read view stopped following the topics", e);
        onDeath.run();
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void lookUpPartitions() {
    List<TopicPartition> fresh = new ArrayList<>();
    for (String topic : TOPICS) {
      List<PartitionInfo> parts;
      try {
        parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      } catch (TimeoutException e) {
        progress = "the broker did not answer within 5 s";
        return;
      }
      for (PartitionInfo pi : parts) {
        TopicPartition tp = new TopicPartition(pi.topic(), pi.partition());
        if (assigned.add(tp)) {
          fresh.add(tp);
        }
      }
      if (!parts.isEmpty()) {
        found.add(topic);
      }
    }
    if (fresh.isEmpty()) {
      progress = found.size() < TOPICS.size() ? "waiting for topics "
          + TOPICS.stream().filter(t -> !found.contains(t)).toList() : progress;
      return;
    }
    consumer.assign(assigned);
    consumer.seekToBeginning(fresh);
    behind.putAll(consumer.endOffsets(fresh, Duration.ofSeconds(10)));
    LOG.info("read view follows {} partitions ({} new)", assigned.size(), fresh.size());
  }

  private void checkCaughtUp() {
    behind.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
    if (behind.isEmpty() && found.size() == TOPICS.size()) {
      caughtUp = true;
      progress = "following " + assigned.size() + " partitions";
      LOG.info("read view caught up with {} partitions", assigned.size());
    } else {
      progress = "loading: " + behind.size() + " of " + assigned.size() + " partitions behind";
    }
  }

  /** Whether everything the partitions held when found has been read. */
  boolean caughtUp() {
    return caughtUp && failure == null;
  }

  /** False once the reader has died. */
  boolean live() {
    return failure == null;
  }

  /** What the reader is doing, for the health check. */
  String status() {
    Throwable f = failure;
    return f == null ? progress : "stopped: " + f;
  }

  void close() {
    closing = true;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
