package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.proto.Verdict;
import io.framewatch.runtime.Health;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, every sweep interval, the videos whose verdict is FINAL or FAILED and was last updated
 * longer ago than their tenant's retention time ({@link VideoDeletion}, reason
 * {@code retention}). A tenant with a zero retention time keeps its videos. Running and stalled
 * videos are never swept: they are still someone's work.
 *
 * <p><b>One sweeper at a time.</b> Every ingest replica runs a sweeper, and every replica's read
 * view holds every verdict, so each would delete the same videos and audit each deletion once per
 * replica. The sweepers therefore share a lease: they are the members of the consumer group
 * {@value #GROUP} on {@code video.control}, a topic of one partition, and only the member that is
 * assigned that partition sweeps (it reads nothing from it). When that replica stops or dies, the
 * group gives the partition, and so the sweeping, to another within the session timeout. A
 * rebalance in the middle of a sweep can let two replicas sweep for a moment; deletion is
 * idempotent, so that costs at most a second audit record of a video. A sweeper that dies of an
 * error makes the process not live ({@link #health()}), for its orchestrator to restart it.
 */
public final class RetentionSweeper implements AutoCloseable {
  /** The consumer group whose single partition is the sweeping lease. */
  public static final String GROUP = "framewatch-retention";
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
  /** A sweep stops after this long and goes on at the next poll, so the lease is kept. */
  private static final long SWEEP_BUDGET_MS = 60_000;

  private final ReadView view;
  private final VideoDeletion deletion;
  private final Function<String, Duration> retention;
  private final long everyMs;
  private final String worker;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  /** Videos this sweeper deleted that the view still shows (the tombstone is on its way). */
  private final Map<String, Long> pending = new HashMap<>();
  private volatile boolean running = true;
  private volatile boolean leased;
  private volatile long swept;
  private volatile String failure = "";

  /**
   * Joins the lease group and starts sweeping when it holds the lease.
   *
   * @param retention a tenant's retention time; {@link Duration#ZERO} keeps its videos
   * @param every time between sweeps
   * @param worker this process, the deletions' {@code by}
   */
  public RetentionSweeper(KafkaSettings kafka, ReadView view, VideoDeletion deletion,
      Function<String, Duration> retention, Duration every, String worker) {
    this.view = view;
    this.deletion = deletion;
    this.retention = retention;
    this.everyMs = every.toMillis();
    this.worker = worker;
    Map<String, Object> p = new HashMap<>(kafka.consumer(GROUP, worker + "-retention", false));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::loop, "framewatch-retention");
    thread.setDaemon(true);
    thread.start();
  }

  /** Videos this sweeper deleted so far. */
  public long swept() {
    return swept;
  }

  /** Live while the sweeper runs; says whether this replica holds the lease. */
  public Health health() {
    boolean alive = thread.isAlive() || !running;
    return new Health(alive, true, Map.of("ingest-retention", !alive ? "stopped: " + failure
        : (leased ? "sweeps" : "another replica sweeps") + " every " + everyMs + " ms; "
        + swept + " videos deleted here"));
  }

  private void loop() {
    long next = 0;
    try {
      consumer.subscribe(List.of(Topics.VIDEO_CONTROL.name()));
      while (running) {
        consumer.poll(Duration.ofMillis(500)); // keeps the membership; the records are not ours
        long now = System.currentTimeMillis();
        leased = !consumer.assignment().isEmpty();
        if (now >= next && leased && view.ready()) {
          next = sweep(now) ? now + everyMs : now; // unfinished: go on after the next poll
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e.toString();
      LOG.error("retention sweeper stopped: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Deletes what is due now.
   *
   * @return false when the time budget ran out before every due video was deleted
   */
  boolean sweep(long now) {
    pending.keySet().removeIf(id -> view.video(id).isEmpty());
    long deadline = now + SWEEP_BUDGET_MS;
    for (Verdict v : view.finishedBefore(now)) {
      Duration keep = retention.apply(v.getTenant());
      if (keep.isZero() || keep.isNegative() || v.getUpdatedMs() > now - keep.toMillis()
          || pending.containsKey(v.getVideoId())) {
        continue;
      }
      if (!running) {
        return true;
      }
      if (System.currentTimeMillis() > deadline) {
        return false;
      }
      try {
        deletion.delete(v.getVideoId(), v.getTenant(), VideoDeletion.Reason.RETENTION, worker);
        pending.put(v.getVideoId(), now);
        swept++;
      } catch (Exception e) {
        LOG.warn("could not delete video {} past its retention time: {}", v.getVideoId(),
            e.toString());
      }
    }
    return true;
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
