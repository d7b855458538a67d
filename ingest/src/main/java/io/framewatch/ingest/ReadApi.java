package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The read side of the API on one router: the video listing and details, the alert history and
 * the event stream, all answered from the {@link ReadView}.
 */
final class ReadApi implements AutoCloseable {
  /** Interval of the event stream's keep-alive comment. */
  static final long HEARTBEAT_MS = 15_000;

  private final EventStream events;

  private ReadApi(EventStream events) {
    this.events = events;
  }

  /**
   * Adds the read routes; call on the verticle's event loop.
   *
   * @param accepted videos this replica accepted that the view may not have read yet
   */
  static ReadApi mount(Vertx vertx, Router router, ReadView view, Map<String, Long> accepted,
      long heartbeatMs) {
    VideoRoutes videos = new VideoRoutes(view, accepted);
    AlertRoutes alerts = new AlertRoutes(view);
    EventStream events = new EventStream(vertx, view, heartbeatMs);
    router.get("/v1/videos").handler(videos::list);
    router.get("/v1/videos/:id").handler(videos::detail);
    router.get("/v1/streams/:id").handler(videos::detail);
    router.get("/v1/alerts").handler(alerts::list);
    router.get("/v1/events").handler(events::handle);
    return new ReadApi(events);
  }

  /**
   * Answers with the JSON {@code body} builds, built on a worker thread: rendering is CPU work
   * that grows with the answer (a video's full timeline of 20000 points takes some 15 ms), which
   * the event loop serving every event stream should not do. A null body is a 404.
   */
  static void respondOffLoop(RoutingContext ctx, Callable<String> body, String notFound) {
    ctx.vertx().executeBlocking(body, false).onComplete(r -> {
      if (r.failed()) {
        IngestVerticle.error(ctx, 500, "could not render the answer: " + r.cause());
      } else if (r.result() == null) {
        IngestVerticle.error(ctx, 404, notFound);
      } else {
        ctx.response().putHeader("Content-Type", "application/json").end(r.result());
      }
    });
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
