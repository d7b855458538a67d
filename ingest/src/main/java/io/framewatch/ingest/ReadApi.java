package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;

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

  /** Event-stream clients connected now. */
  int eventClients() {
    return events.clients();
  }

  @Override
  public void close() {
    events.close();
  }
}
