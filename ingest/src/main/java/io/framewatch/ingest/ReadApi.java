package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.runtime.VideoFiles;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;

/**
 * The read side of the API: the video listing and details, the alert history and the event
 * stream, all answered from the {@link ReadView} and only with the caller's records.
 */
final class ReadApi implements AutoCloseable {
  /** Interval of the event stream's keep-alive comment. */
  static final long HEARTBEAT_MS = 15_000;

  final VideoRoutes videos;
  final AlertRoutes alerts;
  final EventStream events;

  /**
   * Call on the verticle's event loop (the event stream runs on it).
   *
   * @param jobs what this replica queued, which the view may not have read yet
   */
  ReadApi(Vertx vertx, ReadView view, JobPublisher jobs, long heartbeatMs) {
    this.videos = new VideoRoutes(view, jobs);
    this.alerts = new AlertRoutes(view);
    this.events = new EventStream(vertx, view, heartbeatMs);
  }

  /**
   * Answers with the JSON {@code body} builds, built on a worker thread: rendering is CPU work
   * that grows with the answer (a video's full timeline of 20000 points takes some 15 ms), which
   * the event loop serving every event stream should not do. A null body is a 404.
   */
  static void respondOffLoop(RoutingContext ctx, Callable<String> body, String notFound) {
    ctx.vertx().executeBlocking(body, false).onComplete(r -> {
      if (r.failed()) {
        ApiErrors.send(ctx, 500, "could not render the answer: " + r.cause());
      } else if (r.result() == null) {
        ApiErrors.send(ctx, 404, notFound);
      } else {
        ctx.response().putHeader("Content-Type", "application/json").end(r.result());
      }
    });
  }

  /** The evidence files of the caller's videos in {@code files}. */
  EvidenceRoutes evidence(VideoFiles files) {
    return new EvidenceRoutes(files, videos.owners());
  }

  /** Event-stream clients connected now. */
  int eventClients() {
    return events.clients();
  }

  @Override
  public void close() {
    events.close();
  }
}
