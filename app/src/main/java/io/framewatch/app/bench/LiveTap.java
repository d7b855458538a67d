package io.framewatch.app.bench;

import io.framewatch.proto.Alert;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark's view of the pipeline's output: one consumer in this JVM following
 * {@code verdicts}, {@code alerts} and {@code video.events} from their ends at the time it is
 * created, stamping each record with the wall clock at which {@code poll} handed it over. It reads
 * committed records only, as the API's view does: the sink writes in transactions, and a moderator
 * never sees an uncommitted verdict or alert.
 */
final class LiveTap implements AutoCloseable {
  private static final List<Topic<String, ?>> TOPICS =
      List.of(Topics.VERDICTS, Topics.ALERTS, Topics.VIDEO_EVENTS);

  /** A verdict as received. */
  record SeenVerdict(long receivedMs, Verdict verdict) {}

  /** An alert transition as received. */
  record SeenAlert(long receivedMs, Alert alert) {}

  /** What was received of one video, in order. */
  static final class Seen {
    final List<SeenVerdict> verdicts = new ArrayList<>();
    final List<SeenAlert> alerts = new ArrayList<>();
    final List<VideoEvent> events = new ArrayList<>();
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Seen> videos = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closing;
  private volatile Throwable failure;

  /** Starts following the three topics from their current ends. */
  LiveTap(KafkaSettings kafka) {
    Map<String, Object> p = kafka.consumer("bench-live-" + UUID.randomUUID(), "bench-live", false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = TOPICS.stream().flatMap(t -> IntStream.range(0, t.partitions())
        .mapToObj(i -> new TopicPartition(t.name(), i))).toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    // seekToEnd is lazy: resolve the ends now, before any stream starts producing
    parts.forEach(consumer::position);
    thread = new Thread(this::run, "bench-live-tap");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (!closing) {
        var records = consumer.poll(Duration.ofMillis(100));
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          try {
            take(r, now);
          } catch (SerializationException junk) {
            // not framewatch's record: nothing to measure
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Throwable t) {
      failure = t;
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> r, long now) {
    if (r.value() == null) {
      return;
    }
    if (r.topic().equals(Topics.VERDICTS.name())) {
      Verdict v = Topics.VERDICTS.value(r.value());
      Seen s = seen(v.getVideoId());
      synchronized (s) {
        s.verdicts.add(new SeenVerdict(now, v));
      }
    } else if (r.topic().equals(Topics.ALERTS.name())) {
      Alert a = Topics.ALERTS.value(r.value());
      Seen s = seen(a.getVideoId());
      synchronized (s) {
        s.alerts.add(new SeenAlert(now, a));
      }
    } else {
      VideoEvent e = Topics.VIDEO_EVENTS.value(r.value());
      Seen s = seen(e.getVideoId());
      synchronized (s) {
        s.events.add(e);
      }
    }
  }

  private Seen seen(String videoId) {
    return videos.computeIfAbsent(videoId, k -> new Seen());
  }

  /**
   * What was received of {@code videoId} so far: a copy, safe to read while the tap runs.
   *
   * @throws IllegalStateException when the tap's consumer failed
   */
  Seen of(String videoId) {
    if (failure != null) {
      throw new IllegalStateException("reading the results back failed: " + failure, failure);
    }
    Seen s = seen(videoId);
    Seen copy = new Seen();
    synchronized (s) {
      copy.verdicts.addAll(s.verdicts);
      copy.alerts.addAll(s.alerts);
      copy.events.addAll(s.events);
    }
    return copy;
  }

  /** Whether a FINAL or FAILED verdict of {@code videoId} has arrived. */
  boolean ended(String videoId) {
    Seen s = seen(videoId);
    synchronized (s) {
      return s.verdicts.stream().anyMatch(v -> switch (v.verdict().getStatus()) {
        case FINAL, FAILED -> true;
        default -> false;
      });
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
