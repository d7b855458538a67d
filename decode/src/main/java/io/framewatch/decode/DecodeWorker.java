package io.framewatch.decode;

import io.framewatch.proto.VideoJob;
import io.framewatch.topic.DeadLetters;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decode process's job loop: a consumer of {@code video.jobs} that runs up to
 * {@code workers} jobs at once on its own threads and accepts {@code queueCapacity} more, pausing
 * its partitions beyond that (a bounded queue: the backlog stays in Kafka, where other workers can
 * take it). A job's offset is committed only after the job finished, frames and end-of-video
 * acknowledged, and all jobs before it on its partition finished too. Polling continues while
 * jobs run, so a long job or a live stream never exceeds the poll interval.
 */
final class DecodeWorker implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeWorker.class);

  private final DecodeConfig cfg;
  private final String name;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService jobs;
  private final OffsetTracker offsets = new OffsetTracker();
  private final StreamControls controls;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  DecodeWorker(DecodeConfig cfg, String name) {
    this.cfg = cfg;
    this.name = name;
    Map<String, Object> c = cfg.kafka().consumer(cfg.group(), name, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(cfg.kafka().producer(name, true), new ByteArraySerializer(),
        new ByteArraySerializer());
    this.jobs = Executors.newFixedThreadPool(cfg.workers(), r -> {
      Thread t = new Thread(r, "framewatch-decode-job");
      t.setDaemon(true);
      return t;
    });
    this.controls = new StreamControls(cfg.kafka(), name + "-control");
    this.thread = new Thread(this, "framewatch-decode-poll");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(Topics.VIDEO_JOBS.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          commit();
          offsets.revoke(parts);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) { }
      });
      int limit = cfg.workers() + cfg.queueCapacity();
      while (running) {
        if (accepted.get() >= limit) {
          consumer.pause(consumer.assignment());
        } else {
          consumer.resume(consumer.paused());
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          start(r);
        }
        commit();
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } finally {
      commit();
      consumer.close();
    }
  }

  private void start(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    offsets.started(tp, r.offset());
    accepted.incrementAndGet();
    jobs.execute(() -> {
      try {
        VideoJob job = parse(r);
        if (job != null) {
          new VideoDecoder(cfg, name).decode(job, new KafkaDecodeOutput(producer),
              () -> !running || controls.stopRequested(job.getVideoId()));
        }
        offsets.finished(tp, r.offset());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // publishing failed: leave the offset uncommitted so the job is redone
        LOG.error("decode job at {}@{} failed to publish: {}", tp, r.offset(), e.toString());
      } finally {
        accepted.decrementAndGet();
      }
    });
  }

  private VideoJob parse(ConsumerRecord<byte[], byte[]> r) {
    try {
      VideoJob job = Topics.VIDEO_JOBS.value(r.value());
      if (job == null || job.getVideoId().isEmpty() || job.getSourceUri().isEmpty()) {
        throw new IllegalArgumentException("video job without video id or source");
      }
      return job;
    } catch (RuntimeException e) {
      LOG.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      producer.send(DeadLetters.of(r, "decode", e.getMessage()));
      producer.flush();
      return null;
    }
  }

  private void commit() {
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> ready =
        offsets.committable();
    if (!ready.isEmpty()) {
      try {
        consumer.commitSync(ready);
      } catch (RuntimeException e) {
        LOG.warn("decode: commit failed ({}); jobs may be redone", e.toString());
      }
    }
  }

  /** Stops taking jobs, ends running ones (live streams end with EndOfVideo), commits, closes. */
  @Override
  public void close() {
    running = false;
    jobs.shutdown();
    try {
      if (!jobs.awaitTermination(60, TimeUnit.SECONDS)) {
        jobs.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    controls.close();
    producer.close(Duration.ofSeconds(10));
  }
}
