package io.framewatch.ingest.view;

import io.framewatch.proto.Alert;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.runtime.Health;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API replica's read view of {@code verdicts}, {@code alerts} and {@code video.timeline}:
 * a reader follows every partition of the three from the beginning (no consumer group, so every
 * replica holds the same view and answers for any video) and applies each record here. It keeps
 * the latest verdict of every video (unbounded, as the compacted topic), each video's newest
 * alert transitions and timeline points, the newest alert transitions of all videos, and the
 * newest verdict and alert events for the event stream (bounded by {@link ViewLimits}). A
 * tombstone on {@code verdicts} (a deleted video) removes the video from all of them.
 * Queries are answered from memory without blocking; listeners hear of new events on the
 * reader's thread.
 */
public final class ReadView implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadView.class);
  private static final String CHECK = "ingest-read-view";
  /**
   * How long a caught-up view remembers a deleted video, to ignore its alerts and timeline points
   * read after the tombstone (they were written before it, but on other topics). While catching
   * up it remembers every tombstone still on {@code verdicts}.
   */
  static final long DELETION_MEMORY_MS = TimeUnit.MINUTES.toMillis(10);

  private final VideoIndex videos;
  private final AlertLog alerts;
  private final EventLog events;
  private final List<Consumer<List<ViewEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong malformed = new AtomicLong();
  private final TopicFollower follower;
  /** Wall clock of the last time old deletions were forgotten; the reader's thread only. */
  private long prunedMs;

  private ReadView(ViewLimits limits, KafkaSettings kafka, Runnable onReaderDeath) {
    this.videos = new VideoIndex(limits);
    this.alerts = new AlertLog(limits.alertHistory());
    this.events = new EventLog(limits.eventHistory());
    this.follower = kafka == null ? null : new TopicFollower(kafka, this::apply, onReaderDeath);
  }

  /**
   * A view of the cluster's topics, not reading yet: {@link #start()} it.
   *
   * @param onReaderDeath called (on the reader's thread) if the reader dies of an error
   */
  public static ReadView of(KafkaSettings kafka, ViewLimits limits, Runnable onReaderDeath) {
    return new ReadView(limits, kafka, onReaderDeath);
  }

  /**
   * Starts following the topics; {@link #health()} is ready once the reader has caught up.
   *
   * @return this view
   */
  public ReadView start() {
    if (follower != null) {
      follower.start();
    }
    return this;
  }

  /** A view that reads nothing by itself: only the records given to {@link #apply} (tests). */
  public static ReadView detached(ViewLimits limits) {
    return new ReadView(limits, null, () -> { });
  }

  /**
   * Applies records of the three topics, in the order read (per partition, offset order), then
   * tells the listeners of the new events. Records of other topics are ignored; records that do
   * not parse are logged and skipped.
   */
  public void apply(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    List<ViewEvent> fresh = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        applyOne(r, fresh);
      } catch (SerializationException e) {
        malformed.incrementAndGet();
        LOG.warn("skipped {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
    }
    long now = System.currentTimeMillis();
    if (now - prunedMs > DELETION_MEMORY_MS / 10 && ready()) {
      videos.forgetDeletionsBefore(now - DELETION_MEMORY_MS);
      prunedMs = now;
    }
    if (fresh.isEmpty()) {
      return;
    }
    for (Consumer<List<ViewEvent>> l : listeners) {
      try {
        l.accept(fresh);
      } catch (RuntimeException e) {
        LOG.warn("an event listener failed: {}", e.toString());
      }
    }
  }

  private void applyOne(ConsumerRecord<byte[], byte[]> r, List<ViewEvent> fresh) {
    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    if (r.topic().equals(Topics.VERDICTS.name())) {
      Verdict v = Topics.VERDICTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
      if (v == null) {
        forget(key, r, fresh);
        return;
      }
      videos.verdict(v.getVideoId().isEmpty() ? key : v.getVideoId(), v);
      event(new ViewEvent(ViewEvent.Kind.VERDICT, r.partition(), r.offset(), v), fresh);
    } else if (r.topic().equals(Topics.ALERTS.name())) {
      Alert a = Topics.ALERTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
      String id = a == null || a.getVideoId().isEmpty() ? key : a.getVideoId();
      if (a != null && !videos.deleted(id) && videos.state(id).add(a)) {
        alerts.add(a);
        event(new ViewEvent(ViewEvent.Kind.ALERT, r.partition(), r.offset(), a), fresh);
      }
    } else if (r.topic().equals(Topics.VIDEO_TIMELINE.name())) {
      TimelinePoint p =
          Topics.VIDEO_TIMELINE.valueSerde().deserializer().deserialize(r.topic(), r.value());
      String id = p == null || p.getVideoId().isEmpty() ? key : p.getVideoId();
      if (p != null && !videos.deleted(id)) {
        videos.state(id).add(p);
      }
    }
  }

  /**
   * A tombstone on {@code verdicts}: the video was deleted. Its verdict, alerts and timeline
   * leave the view, its alert transitions the alert history, its events the retained events (a
   * resuming client is not sent them again), and a {@code deleted} event goes out when the view
   * knew the video.
   */
  private void forget(String videoId, ConsumerRecord<byte[], byte[]> r, List<ViewEvent> fresh) {
    Verdict last = videos.remove(videoId, System.currentTimeMillis());
    alerts.remove(videoId);
    events.remove(videoId);
    if (last != null) {
      event(new ViewEvent(ViewEvent.Kind.DELETED, r.partition(), r.offset(),
          Verdict.newBuilder().setVideoId(videoId).setTenant(last.getTenant()).build()), fresh);
    }
  }

  private void event(ViewEvent e, List<ViewEvent> fresh) {
    events.append(e);
    fresh.add(e);
  }

  /**
   * Hears of every new event, in order, on the reader's thread (so it must not block).
   *
   * @return removes the listener
   */
  public Runnable subscribe(Consumer<List<ViewEvent>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The latest verdict, alerts and timeline of a video the view has a verdict of. */
  public Optional<VideoDetail> video(String videoId) {
    return Optional.ofNullable(videos.detail(videoId));
  }

  /**
   * A page of the listing.
   *
   * @throws IllegalArgumentException when the cursor is not one this view handed out
   */
  public VideoPage videos(VideoQuery q) {
    return videos.page(q);
  }

  /**
   * FINAL and FAILED verdicts last updated before {@code beforeMs}, least recently updated first
   * (what the retention sweep looks at).
   */
  public List<Verdict> finishedBefore(long beforeMs) {
    return videos.finishedBefore(beforeMs);
  }

  /** The newest {@code limit} alert transitions emitted at or after {@code sinceMs}, oldest first.
   */
  public List<Alert> alerts(long sinceMs, int limit) {
    return alerts.recent(sinceMs, limit, a -> true);
  }

  /** As {@link #alerts(long, int)}, of {@code tenant}'s videos only ({@link #tenantOf(Alert)}). */
  public List<Alert> alerts(String tenant, long sinceMs, int limit) {
    return alerts.recent(sinceMs, limit, a -> tenant.equals(tenantOf(a)));
  }

  /**
   * The tenant that owns a video: its verdict's {@code tenant}; empty when the view has no
   * verdict of it or the verdict names none.
   */
  public String owner(String videoId) {
    Verdict v = videos.verdict(videoId);
    return v == null ? "" : v.getTenant();
  }

  /** An alert's tenant: its own {@code tenant}, else its video's {@link #owner}. */
  public String tenantOf(Alert a) {
    return a.getTenant().isEmpty() ? owner(a.getVideoId()) : a.getTenant();
  }

  /**
   * The tenant an event belongs to: the alert's {@link #tenantOf}, or the tenant of the verdict
   * (a deletion carries the deleted video's last one).
   */
  public String tenantOf(ViewEvent e) {
    return e.kind() == ViewEvent.Kind.ALERT ? tenantOf((Alert) e.payload())
        : ((Verdict) e.payload()).getTenant();
  }

  /** The latest verdict of every video the view holds, in no order. */
  public Iterable<Verdict> verdicts() {
    return videos.verdicts();
  }

  /** The retained events, for resuming the event stream. */
  public EventLog events() {
    return events;
  }

  /** Whether the reader has caught up with the topics as they were when it started. */
  public boolean ready() {
    return follower == null || follower.caughtUp();
  }

  /** Live while the reader runs; ready once it has caught up. */
  public Health health() {
    String held = videos.size() + " videos, " + events.size() + " events retained"
        + (videos.deletions() == 0 ? "" : ", " + videos.deletions() + " deletions remembered")
        + (malformed.get() == 0 ? "" : ", " + malformed.get() + " malformed records skipped");
    if (follower == null) {
      return Health.up(CHECK, held);
    }
    return new Health(follower.live(), follower.caughtUp(),
        Map.of(CHECK, follower.status() + (follower.caughtUp() ? "; " + held : "")));
  }

  @Override
  public void close() {
    listeners.clear();
    if (follower != null) {
      follower.close();
    }
  }
}
