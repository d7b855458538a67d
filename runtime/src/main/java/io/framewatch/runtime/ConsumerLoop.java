package io.framewatch.runtime;

import io.framewatch.topic.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
 * One consumer of a stage: polls a typed {@link Topic}, hands each decoded record to a
 * {@link Handler} with an {@link Output} for its results, and commits an offset only after the
 * record and every record before it on its partition are done: its results acknowledged, or the
 * record dead-lettered with the reason. Failed sends are resent with backoff ({@link Retry}); a
 * record whose results still cannot be published goes to the dead letters; if even that fails the
 * loop stops uncommitted (the process becomes unhealthy and the record is redone elsewhere).
 *
 * <p>Records are handled inline on the polling thread ({@code parallelism} 0: detect, enhance),
 * or on a pool of {@code parallelism} threads with {@code queue} more accepted, the partitions
 * paused beyond that (decode, whose jobs run for minutes or, live, for ever). Polling continues
 * while pooled work runs, so long work never exceeds the poll interval. When a partition is
 * revoked or the loop closes, unfinished work is cancelled ({@link Input#cancelled()}) and left
 * uncommitted for the next owner.
 *
 * @param <K> key type of the input topic
 * @param <V> value type of the input topic
 */
public final class ConsumerLoop<K, V> implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Processes one record, publishing its results through {@code out}. */
  @FunctionalInterface
  public interface Handler<K, V> {
    /**
     * @param in the decoded record
     * @param out where results go; the loop waits for their acknowledgement
     * @throws Exception when the record cannot be processed: the failure policy applies, unless
     *     the work was cancelled ({@link CancelledWork}, or {@link Input#cancelled()} is true)
     */
    void handle(Input<K, V> in, Output out) throws Exception;
  }

  /**
   * A {@link Handler} that first sees every record of a poll together, so that it can do their
   * work as one batch (detect scores the faces of all frames of a poll in shared model runs).
   * Used only inline ({@code parallelism} 0); {@link #handle} is still called for each record, in
   * offset order, and publishes that record's results, so commits, retries and dead letters stay
   * per record.
   */
  public interface BatchHandler<K, V> extends Handler<K, V> {
    /**
     * Called once per poll, before {@link #handle} is called for each of {@code batch}. Records
     * that do not decode as the topic's type are not in it. An exception here fails nothing: each
     * record is then handled on its own.
     *
     * @param batch the poll's decoded records, in the order they will be handled
     */
    void prepare(List<Input<K, V>> batch) throws Exception;
  }

  /** Life of the loop, for health checks. */
  public enum State {
    /** Created, not yet a member of its group. */
    STARTING,
    /** Joined its group (it may own no partition when the group has more members than those). */
    RUNNING,
    /** Closed on request. */
    STOPPED,
    /** Stopped by an error: the process cannot do this worker's share. */
    DEAD
  }

  /** One record in flight. */
  private final class Work {
    final ConsumerRecord<byte[], byte[]> raw;
    final TopicPartition tp;
    final AtomicBoolean cancelled = new AtomicBoolean();
    final TrackedOutput out;
    /** The decoded record, kept until an inline poll's batch runs; null when it did not decode. */
    Input<K, V> input;
    Exception error;

    Work(ConsumerRecord<byte[], byte[]> raw, TopicPartition tp) {
      this.raw = raw;
      this.tp = tp;
      this.out = new TrackedOutput(producer, options.retry(), ConsumerLoop.this::countOut,
          () -> cancelled.get() || !running.get());
    }

    boolean cancelled() {
      return cancelled.get();
    }
  }

  private final Topic<K, V> topic;
  private final Handler<K, V> handler;
  private final LoopOptions options;
  private final AutoCloseable owned;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService pool;
  private final OffsetTracker offsets = new OffsetTracker();
  private final OffsetCommitter commits;
  private final Map<TopicPartition, Map<Long, Work>> inFlight = new ConcurrentHashMap<>();
  private final Map<TopicPartition, String> previousMetadata = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<AutoCloseable> meterBindings = new ArrayList<>();
  private final Counter in;
  private final Counter dead;
  private final Timer processing;
  private final Map<String, Counter> out = new ConcurrentHashMap<>();
  private volatile Runnable onDeath = () -> { };
  private final java.util.concurrent.atomic.AtomicInteger accepted =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * @param topic the typed input topic
   * @param handler the work
   * @param options clients, policy, parallelism, metrics
   * @param owned resources of the handler (models, sessions), closed when the loop ends; or null
   */
  public ConsumerLoop(Topic<K, V> topic, Handler<K, V> handler, LoopOptions options,
      AutoCloseable owned) {
    this.topic = topic;
    this.handler = handler;
    this.options = options;
    this.owned = owned;
    this.commits = new OffsetCommitter(options.stage(), options.commitMetadata());
    this.consumer = new KafkaConsumer<>(options.consumerProps(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(options.producerProps(), new ByteArraySerializer(),
        new ByteArraySerializer());
    this.pool = options.parallelism() == 0 ? null
        : Executors.newFixedThreadPool(options.parallelism(), r -> {
          Thread t = new Thread(r, "framewatch-" + options.stage() + "-work");
          t.setDaemon(true);
          return t;
        });
    MeterRegistry m = options.meters();
    String stage = options.stage();
    in = Counter.builder("framewatch.records.in").description("records read by a stage")
        .tags("stage", stage, "topic", topic.name()).register(m);
    dead = Counter.builder("framewatch.records.dead")
        .description("input records sent to the dead letters, with the reason in headers")
        .tags("stage", stage, "topic", topic.name()).register(m);
    processing = Timer.builder("framewatch.records.processing")
        .description("time a handler spent on one record")
        .tags("stage", stage).publishPercentileHistogram().register(m);
    KafkaClientMetrics cm = new KafkaClientMetrics(consumer);
    cm.bindTo(m);
    meterBindings.add(cm);
    KafkaClientMetrics pm = new KafkaClientMetrics(producer);
    pm.bindTo(m);
    meterBindings.add(pm);
  }

  /** Called once if the loop dies of an error (the process should then be restarted). */
  public void onDeath(Runnable r) {
    this.onDeath = r;
  }

  /** The loop's state. */
  public State state() {
    return state.get();
  }

  /** Why the loop died, if it did. */
  public Throwable cause() {
    return fatal.get();
  }

  private void countOut(String t) {
    out.computeIfAbsent(t, k -> Counter.builder("framewatch.records.out")
        .description("records a stage published, counted on acknowledgement")
        .tags("stage", options.stage(), "topic", k).register(options.meters())).increment();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
          commit();
          cancel(parts);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
          if (options.commitMetadata() != null && !parts.isEmpty()) {
            // what the previous owner recorded with its last commit (e.g. its live streams)
            consumer.committed(new java.util.HashSet<>(parts)).forEach((tp, o) ->
                previousMetadata.put(tp, o == null || o.metadata() == null ? "" : o.metadata()));
          }
          state.compareAndSet(State.STARTING, State.RUNNING);
        }
      });
      int limit = Math.max(1, options.parallelism() + options.queue());
      while (running.get()) {
        Throwable f = fatal.get();
        if (f != null) {
          throw f instanceof RuntimeException re ? re : new IllegalStateException(f);
        }
        if (pool != null) {
          if (accepted.get() >= limit) {
            consumer.pause(consumer.assignment());
          } else {
            consumer.resume(consumer.paused());
          }
        }
        List<Work> batch = new ArrayList<>();
        List<Input<K, V>> inputs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          Work w = accept(r);
          if (w != null) {
            batch.add(w);
            inputs.add(w.input);
          }
        }
        if (pool == null && !batch.isEmpty()) {
          runInline(batch, inputs);
          producer.flush();
          for (Work w : batch) {
            complete(w);
          }
        }
        commit();
      }
      state.set(State.STOPPED);
    } catch (WakeupException e) {
      if (running.get()) {
        die(e);
      } else {
        state.set(State.STOPPED);
      }
    } catch (Throwable e) {
      die(e);
    } finally {
      shutdown();
    }
  }

  private void die(Throwable e) {
    fatal.compareAndSet(null, e);
    state.set(State.DEAD);
    LOG.error("{} worker {} died: {}", options.stage(), options.clientId(), e.toString(), e);
    onDeath.run();
  }

  private Work accept(ConsumerRecord<byte[], byte[]> r) {
    in.increment();
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Work w = new Work(r, tp);
    offsets.started(tp, r.offset());
    inFlight.computeIfAbsent(tp, k -> new ConcurrentHashMap<>()).put(r.offset(), w);
    accepted.incrementAndGet();
    Input<K, V> input;
    try {
      K key = topic.keySerde().deserializer().deserialize(r.topic(), r.key());
      V value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
      if (value == null) {
        finish(w); // a tombstone carries no work
        return null;
      }
      input = new Input<>(key, value, r.topic(), r.partition(), r.offset(), r.timestamp(),
          r.headers(), w::cancelled, previousMetadata.getOrDefault(tp, ""));
    } catch (RuntimeException e) {
      w.error = e;
      if (pool == null) {
        return w;
      }
      pool.execute(() -> complete(w));
      return null;
    }
    if (pool == null) {
      w.input = input; // run with the rest of its poll (runInline)
      return w;
    }
    pool.execute(() -> {
      run(w, input);
      try {
        w.out.flush();
      } catch (PublishException e) {
        w.error = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        w.cancelled.set(true);
      }
      complete(w);
    });
    return null;
  }

  /** Runs an inline poll: the batch handler's preparation, then each record in offset order. */
  private void runInline(List<Work> batch, List<Input<K, V>> inputs) {
    inputs.removeIf(java.util.Objects::isNull);
    if (handler instanceof BatchHandler<K, V> b && !inputs.isEmpty()) {
      try {
        b.prepare(inputs);
      } catch (Exception e) {
        LOG.warn("{}: preparing a batch of {} failed ({}); handling each record alone",
            options.stage(), inputs.size(), e.toString());
      }
    }
    for (Work w : batch) {
      if (w.input != null) {
        Input<K, V> input = w.input;
        w.input = null;
        run(w, input);
      }
    }
  }

  private void run(Work w, Input<K, V> input) {
    long t0 = System.nanoTime();
    try {
      handler.handle(input, w.out);
    } catch (CancelledWork e) {
      w.cancelled.set(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      w.cancelled.set(true);
    } catch (Exception e) {
      w.error = e;
    } finally {
      processing.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  /** Decides what becomes of a handled record; runs on the thread that handled it. */
  private void complete(Work w) {
    try {
      if (w.cancelled()) {
        LOG.info("{}: {}-{}@{} cut short; left uncommitted for redelivery", options.stage(),
            w.tp.topic(), w.tp.partition(), w.raw.offset());
        forget(w);
        return;
      }
      if (w.error == null && pool == null) {
        try {
          w.out.flush(); // already flushed with the batch: this only resends failures
        } catch (PublishException e) {
          w.error = e;
        }
      }
      if (w.error == null) {
        finish(w);
        return;
      }
      String reason = TrackedOutput.describe(w.error);
      if (w.error instanceof PublishException p) {
        reason = p.getMessage();
      }
      switch (options.policy()) {
        case FAIL -> throw new IllegalStateException(options.stage() + " cannot process "
            + w.tp + "@" + w.raw.offset() + ": " + reason, w.error);
        case SKIP_AND_LOG -> LOG.warn("{} skipped {}@{}: {}", options.stage(), w.tp,
            w.raw.offset(), reason);
        case DEAD_LETTER -> deadLetter(w, reason);
      }
      finish(w);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forget(w);
    } catch (RuntimeException e) {
      forget(w);
      fatal.compareAndSet(null, e);
    }
  }

  private void deadLetter(Work w, String reason) throws InterruptedException {
    LOG.warn("{} dead-lettered {}@{}: {}", options.stage(), w.tp, w.raw.offset(), reason);
    // the same resends as results get; only the count differs
    TrackedOutput dl = new TrackedOutput(producer, options.retry(), t -> dead.increment(),
        () -> false);
    dl.send(DeadLetters.of(w.raw, options.stage(), reason));
    try {
      dl.flush();
    } catch (PublishException e) {
      throw new IllegalStateException("cannot dead-letter " + w.tp + "@" + w.raw.offset() + " ("
          + reason + "): " + e.getMessage(), e);
    }
  }


  private void finish(Work w) {
    offsets.finished(w.tp, w.raw.offset());
    forget(w);
  }

  private void forget(Work w) {
    Map<Long, Work> m = inFlight.get(w.tp);
    if (m != null) {
      m.remove(w.raw.offset());
    }
    accepted.decrementAndGet();
  }

  private void cancel(Collection<TopicPartition> parts) {
    for (TopicPartition tp : parts) {
      Map<Long, Work> m = inFlight.get(tp);
      if (m != null) {
        m.values().forEach(w -> w.cancelled.set(true));
      }
    }
    offsets.revoke(parts);
    commits.revoke(parts);
  }

  private void commit() {
    commits.commit(consumer, offsets);
  }

  private void shutdown() {
    running.set(false);
    inFlight.values().forEach(m -> m.values().forEach(w -> w.cancelled.set(true)));
    if (pool != null) {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (AutoCloseable resources = owned) {
      try {
        commit();
      } catch (RuntimeException e) {
        LOG.debug("{}: final commit failed: {}", options.stage(), e.toString());
      }
      for (AutoCloseable b : meterBindings) {
        b.close();
      }
      producer.close(Duration.ofSeconds(10));
      consumer.close();
    } catch (Exception e) {
      LOG.warn("{} worker: closing its resources failed: {}", options.stage(), e.toString());
    } finally {
      stopped.countDown();
    }
  }

  /** Stops polling, cancels unfinished work (left uncommitted), commits what is done, closes. */
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
