package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value per key of a compacted topic, in memory: a consumer without a group reads
 * every partition from the beginning on its own thread and then follows it (a null value removes
 * the key). Every process that starts one sees every record, so any replica answers alike.
 * {@link #fresh(Duration)} waits until the view holds everything written before the call (read
 * after write across processes); {@link #current()} answers at once.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class CompactedView<K, V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactedView.class);

  private final Topic<K, V> topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<K, V> values = new ConcurrentHashMap<>();
  private final Queue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
  /** Catch-up requests taken by the view's thread, with the end offsets they wait for. */
  private final Map<CompletableFuture<Void>, Map<TopicPartition, Long>> waiting = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile Throwable failure;

  private CompactedView(Topic<K, V> topic, KafkaSettings kafka, String clientId) {
    this.topic = topic;
    Map<String, Object> p = new HashMap<>(kafka.admin());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "framewatch-view-" + topic.name());
    thread.setDaemon(true);
  }

  /**
   * Starts following {@code topic} (it must exist).
   *
   * @param clientId Kafka client id, for broker logs
   */
  public static <K, V> CompactedView<K, V> start(Topic<K, V> topic, KafkaSettings kafka,
      String clientId) {
    CompactedView<K, V> v = new CompactedView<>(topic, kafka, clientId);
    v.thread.start();
    return v;
  }

  /** The value of {@code key} as far as the view has read; null when absent or deleted. */
  public V get(K key) {
    return values.get(key);
  }

  /** The values as far as the view has read (possibly behind the topic by a poll). */
  public Map<K, V> current() {
    return Map.copyOf(values);
  }

  /**
   * The values once the view has read up to the end of the topic as it is now: everything whose
   * write was acknowledged before this call is included.
   *
   * @throws TimeoutException when the view cannot catch up within {@code timeout}
   * @throws IllegalStateException when the view stopped
   */
  public Map<K, V> fresh(Duration timeout) throws TimeoutException, InterruptedException {
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    syncRequests.add(caughtUp);
    checkRunning();
    consumer.wakeup(); // skip the rest of the current poll
    try {
      caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(topic.name() + " view stopped: " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      syncRequests.remove(caughtUp);
      throw new TimeoutException(topic.name() + " view did not catch up within " + timeout);
    }
    return current();
  }

  private void checkRunning() {
    if (failure != null || !running.get()) {
      throw new IllegalStateException(topic.name() + " view stopped"
          + (failure == null ? "" : ": " + failure));
    }
  }

  private void run() {
    try {
      List<TopicPartition> parts = null;
      while (running.get()) {
        try {
          if (parts == null) {
            parts = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .collect(Collectors.toList());
            if (parts.isEmpty()) {
              throw new IllegalStateException("topic " + topic.name() + " does not exist");
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
          }
          follow(parts);
        } catch (WakeupException e) {
          // a fresh() call (look at it at once) or close() (the loop ends)
        }
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("view of {} stopped: {}", topic.name(), e.toString(), e);
    } finally {
      running.set(false);
      IllegalStateException stopped = new IllegalStateException("view closed", failure);
      syncRequests.forEach(f -> f.completeExceptionally(stopped));
      waiting.keySet().forEach(f -> f.completeExceptionally(stopped));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** One round: take new catch-up requests, answer those caught up, read what came. */
  private void follow(List<TopicPartition> parts) {
    List<CompletableFuture<Void>> asked = new ArrayList<>();
    for (CompletableFuture<Void> f; (f = syncRequests.poll()) != null; ) {
      asked.add(f);
    }
    if (!asked.isEmpty()) {
      try {
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofSeconds(30));
        asked.forEach(f -> waiting.put(f, ends));
      } catch (RuntimeException e) {
        syncRequests.addAll(asked); // asked again next round
        throw e;
      }
    }
    Iterator<Map.Entry<CompletableFuture<Void>, Map<TopicPartition, Long>>> it =
        waiting.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<CompletableFuture<Void>, Map<TopicPartition, Long>> e = it.next();
      boolean done = true;
      for (Map.Entry<TopicPartition, Long> end : e.getValue().entrySet()) {
        done &= consumer.position(end.getKey()) >= end.getValue();
      }
      if (done) {
        e.getKey().complete(null);
        it.remove();
      }
    }
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
      apply(r);
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    K key;
    V value;
    try {
      key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
      value = r.value() == null ? null : topic.value(r.value());
    } catch (RuntimeException e) {
      LOG.warn("{}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.toString());
      return;
    }
    if (key == null) {
      return;
    }
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
  }

  /** True until the view stops (closed, or its consumer failed). */
  public boolean running() {
    return running.get() && failure == null;
  }

  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
