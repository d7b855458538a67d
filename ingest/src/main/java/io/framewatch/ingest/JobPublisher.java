package io.framewatch.ingest;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.topic.Topics;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;

/**
 * Queues jobs: the {@link Accepted} event on {@code video.events}, then the {@link VideoJob} on
 * {@code video.jobs}, and waits for the broker to acknowledge both. The accepted event goes first,
 * so the verdict (and its tenant) exists before any decode event. Shared by uploads, live streams
 * and URL intake (whose accepted event goes out when the download starts, its job once the file is
 * stored: {@link #accept}, {@link #queue}). It also remembers, for an hour, which tenant each
 * video it accepted belongs to: the read view may not have the video's verdict yet when its owner
 * asks for it right after.
 */
final class JobPublisher {
  private static final long MEMORY_MS = TimeUnit.HOURS.toMillis(1);
  private static final long ACK_SECONDS = 30;

  /**
   * A job this replica queued.
   *
   * @param tenant its owner
   * @param atMs when it was accepted (ms since the epoch)
   */
  record Recent(String tenant, long atMs) {}

  private final Producer<byte[], byte[]> producer;
  private final Map<String, Recent> recent = new ConcurrentHashMap<>();

  JobPublisher(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  /**
   * Sends the accepted event and the job (keyed by the job's video id, stamped with its tenant
   * and submission time) and waits for both acknowledgements; blocks, so call off the event loop.
   *
   * @throws Exception when the broker does not acknowledge within 30 s
   */
  void publish(VideoJob job, Accepted.Builder accepted) throws Exception {
    String id = job.getVideoId();
    var ev = send(acceptedEvent(id, job.getSubmittedAtMs(), accepted.setTenant(job.getTenant())));
    var jb = producer.send(Topics.VIDEO_JOBS.record(id, job));
    ev.get(ACK_SECONDS, TimeUnit.SECONDS);
    jb.get(ACK_SECONDS, TimeUnit.SECONDS);
    remember(id, job.getTenant(), job.getSubmittedAtMs());
  }

  /**
   * Sends only the accepted event (its tenant set) of a video whose job follows later, once its
   * file is in the store (a URL intake's, {@link #queue}), waits for the acknowledgement and
   * remembers the tenant as {@link #publish} does; blocks.
   */
  void accept(String videoId, long atMs, Accepted accepted) throws Exception {
    send(acceptedEvent(videoId, atMs, accepted.toBuilder())).get(ACK_SECONDS, TimeUnit.SECONDS);
    remember(videoId, accepted.getTenant(), atMs);
  }

  /** Sends the job of a video {@link #accept accepted} before and waits for it; blocks. */
  void queue(VideoJob job) throws Exception {
    producer.send(Topics.VIDEO_JOBS.record(job.getVideoId(), job))
        .get(ACK_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Sends an event of a video (keyed by its id) without waiting; may block while the producer
   * fetches metadata or its buffer is full.
   *
   * @return the acknowledgement
   */
  java.util.concurrent.Future<?> send(VideoEvent event) {
    return producer.send(Topics.VIDEO_EVENTS.record(event.getVideoId(), event));
  }

  private static VideoEvent acceptedEvent(String id, long atMs, Accepted.Builder accepted) {
    return VideoEvent.newBuilder().setVideoId(id).setAtMs(atMs).setWorker("ingest")
        .setAccepted(accepted).build();
  }

  private void remember(String id, String tenant, long atMs) {
    recent.values().removeIf(r -> r.atMs() < atMs - MEMORY_MS);
    recent.put(id, new Recent(tenant, atMs));
  }

  /** A job queued here within the hour, unless {@link #forget forgotten}. */
  Optional<Recent> recent(String videoId) {
    return Optional.ofNullable(recent.get(videoId));
  }

  /** Forgets a job the read view now knows. */
  void forget(String videoId) {
    recent.remove(videoId);
  }
}
