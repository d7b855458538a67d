package io.framewatch.decode;

import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.StreamControl;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every decode process's view of {@code video.control}: it reads all partitions (no consumer
 * group: each worker must see every stop), starting an hour back so a stop sent just before this
 * worker picked the stream up is not missed. Live evidence requests come the same way: only the
 * process running a stream holds its recent frames.
 */
final class StreamControls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamControls.class);
  private static final long LOOKBACK_MS = 3_600_000;

  private final Map<String, Long> stopped = new ConcurrentHashMap<>();
  private volatile Consumer<EvidenceRequest> evidence = r -> { };
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  StreamControls(KafkaSettings kafka, String clientId) {
    Map<String, Object> p = new HashMap<>(kafka.admin());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::loop, "framewatch-decode-control");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Hands every live evidence request read from now on to {@code handler}, on the control thread
   * (the handler ignores streams this process does not run).
   */
  void onEvidence(Consumer<EvidenceRequest> handler) {
    this.evidence = handler;
  }

  /** Whether a stop was requested for this video. */
  boolean stopRequested(String videoId) {
    return stopped.containsKey(videoId);
  }

  private void loop() {
    try {
      List<TopicPartition> parts = consumer.partitionsFor(Topics.VIDEO_CONTROL.name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      Map<TopicPartition, Long> since = new HashMap<>();
      parts.forEach(tp -> since.put(tp, System.currentTimeMillis() - LOOKBACK_MS));
      Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(since);
      for (TopicPartition tp : parts) {
        OffsetAndTimestamp o = start.get(tp);
        if (o == null) {
          consumer.seekToEnd(List.of(tp));
        } else {
          consumer.seek(tp, o.offset());
        }
      }
      while (running) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          try {
            StreamControl c = Topics.VIDEO_CONTROL.value(r.value());
            if (c != null && c.getStop()) {
              stopped.put(c.getVideoId(), System.currentTimeMillis());
              LOG.info("stop requested for stream {}", c.getVideoId());
            }
            if (c != null && c.hasEvidence()) {
              evidence.accept(c.getEvidence());
            }
          } catch (RuntimeException e) {
            LOG.warn("ignoring unreadable control record {}@{}: {}", r.partition(), r.offset(),
                e.getMessage());
          }
        }
        stopped.values().removeIf(t -> t < System.currentTimeMillis() - 2 * LOOKBACK_MS);
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
