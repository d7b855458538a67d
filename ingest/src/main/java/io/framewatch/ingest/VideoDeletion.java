package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.VideoDetail;
import io.framewatch.proto.Deleted;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.topic.Topics;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a video: {@code DELETE /v1/videos/{id}} and the retention sweep both come here.
 *
 * <ol>
 *   <li>A video that may still be running (its verdict is not FINAL or FAILED, or the view has
 *       none yet) is stopped: a stop on {@code video.control} ends a live stream, and a file's
 *       decode early. Deleting never waits for the pipeline: a STALLED video whose decoder is
 *       gone must be deletable too.
 *   <li>Its files are removed ({@link VideoFiles}: the upload and its evidence directory),
 *       counting files and bytes.
 *   <li>A {@code Deleted} event on {@code video.events} (same key, so the same partition as the
 *       video's other events) is the audit record: tenant, reason, who, files and bytes. The sink,
 *       which owns {@code verdicts}, then tombstones the verdict and keeps a marker so that work
 *       still in flight for the video is dropped, and every read view forgets the video.
 * </ol>
 *
 * <p>Idempotent: deleting again removes nothing more and tombstones again. Blocking (file I/O,
 * Kafka acknowledgements): call it on a worker thread, never the event loop.
 */
public final class VideoDeletion {
  private static final Logger LOG = LoggerFactory.getLogger(VideoDeletion.class);
  private static final long ACK_TIMEOUT_S = 30;

  /** Why a video is deleted, as the audit record says it. */
  public enum Reason {
    /** {@code DELETE /v1/videos/{id}} by an API key. */
    REQUEST,
    /** Its tenant's retention time passed. */
    RETENTION;

    /** The word on the {@code Deleted} event. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What a deletion did.
   *
   * @param existed false when neither the view nor the media store knew the video (nothing was
   *     published; the route answers 404)
   * @param filesRemoved files removed from the media store
   * @param bytesRemoved their bytes
   */
  public record Result(boolean existed, int filesRemoved, long bytesRemoved) {
    static final Result NOT_FOUND = new Result(false, 0, 0);
  }

  private final VideoFiles files;
  private final Producer<byte[], byte[]> producer;
  private final ReadView view;
  private final String worker;

  /**
   * @param files the media store's per-video files
   * @param producer ingest's producer (idempotent, {@code acks=all}, default partitioner)
   * @param view this replica's read view: whether the video exists, its tenant and status
   * @param worker this process, for the events' {@code worker}
   */
  public VideoDeletion(VideoFiles files, Producer<byte[], byte[]> producer, ReadView view,
      String worker) {
    this.files = files;
    this.producer = producer;
    this.view = view;
    this.worker = worker;
  }

  /**
   * Deletes the video of {@code tenant}.
   *
   * @param videoId the video
   * @param tenant the tenant asking; a video whose verdict names another tenant is not found
   * @param reason why
   * @param by who asks: the API key's id, or the sweeping worker
   * @return what was removed; {@link Result#existed()} false when the video is unknown
   * @throws IllegalArgumentException when {@code videoId} is not a video id
   * @throws Exception when Kafka does not acknowledge the stop or the audit event (the files may
   *     be gone already; deleting again publishes the event)
   */
  public Result delete(String videoId, String tenant, Reason reason, String by) throws Exception {
    Optional<Verdict> verdict = view.video(videoId).map(VideoDetail::verdict);
    if (verdict.isPresent() && !verdict.get().getTenant().equals(tenant)) {
      return Result.NOT_FOUND; // another tenant's: as if it did not exist
    }
    boolean hasFiles = !files.of(videoId).isEmpty();
    if (verdict.isEmpty() && !hasFiles) {
      return Result.NOT_FOUND;
    }
    long now = System.currentTimeMillis();
    if (verdict.isEmpty() || !finished(verdict.get())) {
      await(producer.send(Topics.VIDEO_CONTROL.record(videoId, StreamControl.newBuilder()
          .setVideoId(videoId).setStop(true).setAtMs(now).build())));
    }
    VideoFiles.Removed removed = files.remove(videoId);
    VideoEvent audit = VideoEvent.newBuilder().setVideoId(videoId).setAtMs(now).setWorker(worker)
        .setDeleted(Deleted.newBuilder().setTenant(tenant).setReason(reason.word()).setBy(by)
            .setFilesRemoved(removed.files()).setBytesRemoved(removed.bytes()))
        .build();
    await(producer.send(Topics.VIDEO_EVENTS.record(videoId, audit)));
    LOG.info("deleted video {} of tenant '{}' ({} by {}): {} files, {} bytes", videoId, tenant,
        reason.word(), by, removed.files(), removed.bytes());
    return new Result(true, removed.files(), removed.bytes());
  }

  private static boolean finished(Verdict v) {
    return v.getStatus() == VerdictStatus.FINAL || v.getStatus() == VerdictStatus.FAILED;
  }

  private static void await(Future<?> ack) throws Exception {
    ack.get(ACK_TIMEOUT_S, TimeUnit.SECONDS);
  }
}
