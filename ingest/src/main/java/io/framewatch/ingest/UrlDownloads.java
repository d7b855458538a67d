package io.framewatch.ingest;

import io.framewatch.ingest.UrlIntake.Fetched;
import io.framewatch.ingest.UrlIntake.Outcome;
import io.framewatch.ingest.UrlIntake.Refused;
import io.framewatch.proto.Failure;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background half of intake by URL: once {@code POST /v1/videos} has checked the URL, its
 * host and the tenant's limits, published the video's Accepted event and answered 202, a download
 * fetches the file with {@link UrlIntake} into {@code incoming/<id>.part} and publishes its
 * progress as {@code Fetching} events on {@code video.events} (the verdict's {@code fetching}).
 *
 * <ul>
 *   <li>Fetched: the file moves to {@link MediaStore#video}, a last {@code Fetching} event says
 *       all bytes arrived (its total is the size), then the video's job is queued.
 *   <li>Refused (the source's status, a size or time limit, not a video, a guard refusal on a
 *       redirect): the video gets a {@code Failure} of stage {@code ingest} with the reason, so
 *       its verdict turns FAILED (and its stored bytes 0); no partial file is left.
 *   <li>{@link #close}: the downloads still running end and their videos get the failure
 *       {@value #STOPPED}, best effort (a process that is killed leaves them RUNNING until the
 *       sink's stall watch notices).
 * </ul>
 *
 * <p>Events are sent from the worker pool in the order of the Vert.x context the download runs
 * on, so progress never follows the last event or the failure.
 */
final class UrlDownloads {
  /** The failure of a video whose download the closing ingest stage cut off. */
  static final String STOPPED = "ingest stopped during the download";
  private static final Logger LOG = LoggerFactory.getLogger(UrlDownloads.class);
  /** How long {@link #close} waits for the running downloads to end, then for failures' acks. */
  private static final long STOP_WAIT_MS = 3000;
  private static final long ACK_SECONDS = 30;

  private final Vertx vertx;
  private final MediaStore media;
  private final JobPublisher jobs;
  private final UrlIntake intake;
  private final Map<String, Future<Void>> running = new ConcurrentHashMap<>();
  private volatile boolean closing;

  UrlDownloads(Vertx vertx, MediaStore media, JobPublisher jobs, UrlIntake intake) {
    this.vertx = vertx;
    this.media = media;
    this.jobs = jobs;
    this.intake = intake;
  }

  /**
   * Starts the download of an accepted video; call on the Vert.x context that should run it.
   *
   * @param url the URL exactly as given (its query string reaches the source, nothing else)
   * @param job the video's job, complete but for its source URI and size
   */
  void start(String url, VideoJob job) {
    String id = job.getVideoId();
    if (closing) {
      vertx.executeBlocking(() -> fail(id, STOPPED));
      return;
    }
    Future<Void> done = intake.fetch(url, part(id), (received, total) -> vertx.executeBlocking(
            () -> jobs.send(UrlIntake.fetchingEvent(id, received, total))))
        .compose(outcome -> vertx.executeBlocking(() -> settle(job, outcome)))
        .recover(e -> {
          LOG.warn("the download of video {} ended without an outcome: {}", id, e.toString());
          return Future.succeededFuture();
        });
    running.put(id, done);
    done.onComplete(v -> running.remove(id));
  }

  /** Downloads running now. */
  int running() {
    return running.size();
  }

  private Path part(String videoId) {
    return media.incoming().resolve(videoId + ".part");
  }

  /** Stores and queues a fetched video, or fails a refused one; blocks. */
  private Void settle(VideoJob job, Outcome outcome) throws Exception {
    String id = job.getVideoId();
    if (outcome instanceof Refused no) {
      Files.deleteIfExists(part(id)); // the intake deleted it; make sure
      return fail(id, closing ? STOPPED : no.reason());
    }
    Fetched f = (Fetched) outcome;
    if (closing) {
      Files.deleteIfExists(f.path());
      return fail(id, STOPPED);
    }
    Path stored;
    try {
      stored = media.keep(f.path(), id, f.container());
    } catch (IOException e) {
      Files.deleteIfExists(f.path());
      return fail(id, "could not store the fetched file: " + e.getMessage());
    }
    var last = jobs.send(UrlIntake.fetchingEvent(id, f.bytes(), f.bytes()));
    try {
      jobs.queue(job.toBuilder().setSourceUri(stored.toString()).setSizeBytes(f.bytes()).build());
      last.get(ACK_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("could not queue video {} fetched from {}: {}", id, f.finalUrl(), e.toString());
      Files.deleteIfExists(stored);
      return fail(id, "could not queue the fetched video: " + e.getMessage());
    }
    LOG.info("queued video {} of {} fetched from {} ({} bytes, {})", id, job.getTenant(),
        f.finalUrl(), f.bytes(), f.container());
    return null;
  }

  /** Publishes the video's ingest failure and waits for it (logged when it fails); blocks. */
  private Void fail(String videoId, String reason) {
    VideoEvent failure = VideoEvent.newBuilder().setVideoId(videoId)
        .setAtMs(System.currentTimeMillis()).setWorker("ingest")
        .setFailure(Failure.newBuilder().setStage("ingest").setReason(reason)).build();
    try {
      jobs.send(failure).get(closing ? STOP_WAIT_MS : ACK_SECONDS * 1000, TimeUnit.MILLISECONDS);
      LOG.info("video {} failed at intake: {}", videoId, reason);
    } catch (Exception e) {
      LOG.warn("could not publish the intake failure of video {} ({}): {}", videoId, reason,
          e.toString());
    }
    return null;
  }

  /**
   * Ends the running downloads: closing the intake's client ends their requests (each deletes its
   * partial file and its video gets the failure {@value #STOPPED}); those that have not ended
   * after a few seconds are failed here.
   */
  Future<Void> close() {
    closing = true;
    List<Future<Void>> left = List.copyOf(running.values());
    intake.close();
    return Future.join(left).timeout(STOP_WAIT_MS, TimeUnit.MILLISECONDS)
        .transform(r -> running.isEmpty() ? Future.<Void>succeededFuture()
            : vertx.executeBlocking(() -> {
              for (String id : List.copyOf(running.keySet())) {
                Files.deleteIfExists(part(id));
                fail(id, STOPPED);
              }
              return null;
            }));
  }
}
