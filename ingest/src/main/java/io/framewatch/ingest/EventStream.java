package io.framewatch.ingest;

import io.framewatch.ingest.view.EventLog;
import io.framewatch.ingest.view.EventPosition;
import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewEvent;
import io.framewatch.proto.Alert;
import io.framewatch.proto.Verdict;
import io.framewatch.topic.ProtoJson;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events}: Server-Sent Events of verdict updates ({@code event: verdict}, data =
 * {@link VerdictJson}) and alert transitions ({@code event: alert}, data = {@link ProtoJson}), each
 * on one {@code data:} line with an {@code id:} that is an {@link EventPosition}. A client that
 * reconnects with {@code Last-Event-ID} first gets the retained events it missed, on any replica.
 * A comment line every heartbeat keeps proxies from closing an idle stream. A client too slow to
 * take its events is disconnected (it resumes with {@code Last-Event-ID}) rather than buffered
 * without bound. Everything runs on the verticle's event loop; the view's reader only hands
 * events over.
 */
final class EventStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

  private final Vertx vertx;
  private final ReadView view;
  private final Context context;
  /** Connected clients; touched only on {@link #context}. */
  private final Map<HttpServerResponse, EventPosition> clients = new IdentityHashMap<>();
  private final AtomicInteger connected = new AtomicInteger();
  private final Runnable unsubscribe;
  private final long timer;

  /**
   * Must be created on the event loop that serves the route (the verticle's).
   *
   * @param heartbeatMs interval of the keep-alive comment
   */
  EventStream(Vertx vertx, ReadView view, long heartbeatMs) {
    this.vertx = vertx;
    this.view = view;
    this.context = vertx.getOrCreateContext();
    this.unsubscribe = view.subscribe(events -> context.runOnContext(v -> broadcast(events)));
    this.timer = vertx.setPeriodic(heartbeatMs, id -> heartbeat());
  }

  void handle(RoutingContext ctx) {
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    String last = ctx.request().getHeader("Last-Event-ID");
    StringBuilder out = new StringBuilder(": framewatch events\nretry: 2000\n\n");
    EventPosition from = view.events().head();
    List<ViewEvent> missed = List.of();
    if (last != null && !last.isBlank()) {
      try {
        EventPosition resumed = EventPosition.parse(last);
        EventLog.Replay replay = view.events().since(resumed);
        from = resumed;
        missed = replay.events();
        if (!replay.complete()) {
          out.append(": some events after Last-Event-ID are no longer retained\n\n");
        }
      } catch (IllegalArgumentException e) {
        out.append(": Last-Event-ID is not an id of this stream; events from now on\n\n");
      }
    }
    HttpServerResponse res = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    res.closeHandler(v -> drop(res));
    res.exceptionHandler(e -> drop(res));
    clients.put(res, from);
    connected.set(clients.size());
    for (ViewEvent e : missed) {
      append(res, e, json(e), out);
    }
    send(res, out);
  }

  private void broadcast(List<ViewEvent> events) {
    if (clients.isEmpty()) {
      return;
    }
    List<String> json = new ArrayList<>(events.size());
    for (ViewEvent e : events) {
      json.add(json(e));
    }
    for (HttpServerResponse res : List.copyOf(clients.keySet())) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < events.size(); i++) {
        append(res, events.get(i), json.get(i), out);
      }
      if (!out.isEmpty()) {
        send(res, out);
      }
    }
  }

  /** Adds the event unless the client's position covers it, and moves the position past it. */
  private void append(HttpServerResponse res, ViewEvent e, String json, StringBuilder out) {
    EventPosition at = clients.get(res);
    if (at == null || at.covers(e)) {
      return;
    }
    at = at.after(e);
    clients.put(res, at);
    out.append("id: ").append(at.encode()).append("\nevent: ").append(e.kind().eventName())
        .append("\ndata: ").append(json).append("\n\n");
  }

  private void heartbeat() {
    for (HttpServerResponse res : List.copyOf(clients.keySet())) {
      send(res, new StringBuilder(": keep-alive\n\n"));
    }
  }

  private void send(HttpServerResponse res, CharSequence text) {
    if (res.closed() || res.ended()) {
      drop(res);
      return;
    }
    res.write(text.toString());
    if (res.writeQueueFull()) {
      LOG.info("event stream client too slow; disconnected (it resumes with Last-Event-ID)");
      drop(res);
      res.end();
    }
  }

  private void drop(HttpServerResponse res) {
    if (clients.remove(res) != null) {
      connected.set(clients.size());
    }
  }

  private static String json(ViewEvent e) {
    return e.kind() == ViewEvent.Kind.VERDICT ? VerdictJson.of((Verdict) e.payload()).encode()
        : ProtoJson.print((Alert) e.payload());
  }

  /** Clients connected now (any thread). */
  int clients() {
    return connected.get();
  }

  /** Stops hearing the view and ends every stream; call on the event loop. */
  @Override
  public void close() {
    unsubscribe.run();
    vertx.cancelTimer(timer);
    for (HttpServerResponse res : List.copyOf(clients.keySet())) {
      drop(res);
      if (!res.closed() && !res.ended()) {
        res.end();
      }
    }
  }
}
