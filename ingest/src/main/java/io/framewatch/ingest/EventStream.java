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

/**
 * {@code GET /v1/events}: Server-Sent Events of the caller's verdict updates
 * ({@code event: verdict}, data = {@link VerdictJson}), deletions ({@code event: deleted}, data =
 * {@code {"videoId": ...}}) and alert transitions ({@code event: alert}, data =
 * {@link ProtoJson}), each
 * on one {@code data:} line with an {@code id:} that is an {@link EventPosition}. A client that
 * reconnects with {@code Last-Event-ID} first gets the retained events it missed, on any replica.
 * A comment line every heartbeat keeps proxies from closing an idle stream. A client with more
 * than about 1 MB written that its connection has not taken is sent nothing more until that is
 * down to 256 KB, then catches up from the retained events: a client that stops reading costs
 * at most that buffer, never a copy of every event since. Everything runs on the verticle's event
 * loop; the view's reader only hands events over.
 */
final class EventStream implements AutoCloseable {
  static final String GAP = ": some events after the last event id are no longer retained;"
      + " reload the listing";
  private static final int CHUNK_CHARS = 64 * 1024;
  /** A client with this much written but not yet taken by its connection is backed up... */
  private static final long BACKED_UP_CHARS = 1024 * 1024;
  /** ...until that is down to this. */
  private static final long DRAINED_CHARS = 256 * 1024;

  /**
   * One connected client: its tenant, the position it has had everything before, and its flow
   * state.
   */
  private static final class Client {
    final HttpServerResponse res;
    final String tenant;
    EventPosition at;
    boolean backedUp;
    /** Characters written whose write has not completed (still in Vert.x's or Netty's buffers). */
    long pending;

    Client(HttpServerResponse res, String tenant, EventPosition at) {
      this.res = res;
      this.tenant = tenant;
      this.at = at;
    }
  }

  private final Vertx vertx;
  private final ReadView view;
  private final Context context;
  /** Connected clients; touched only on {@link #context}. */
  private final Map<HttpServerResponse, Client> clients = new IdentityHashMap<>();
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
    StringBuilder hello = new StringBuilder(": framewatch events\nretry: 2000\n\n");
    EventPosition from = view.events().head();
    boolean resuming = false;
    if (last != null && !last.isBlank()) {
      try {
        from = EventPosition.parse(last);
        resuming = true;
      } catch (IllegalArgumentException e) {
        hello.append(": Last-Event-ID is not an id of this stream; events from now on\n\n");
      }
    }
    HttpServerResponse res = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    res.closeHandler(v -> drop(res));
    res.exceptionHandler(e -> drop(res));
    Client c = new Client(res, ApiKeyAuth.principal(ctx).tenant(), from);
    clients.put(res, c);
    connected.set(clients.size());
    if (write(c, hello) && resuming) {
      catchUp(c);
    }
  }

  /** Sends the retained events the client has not had, until done or its connection backs up. */
  private void catchUp(Client c) {
    c.backedUp = false;
    EventLog.Replay replay = view.events().since(c.at);
    StringBuilder out = new StringBuilder();
    if (!replay.complete()) {
      out.append(GAP).append("\n\n");
    }
    for (ViewEvent e : replay.events()) {
      append(c, e, view.tenantOf(e), json(e), out);
      if (out.length() >= CHUNK_CHARS) {
        if (!write(c, out)) {
          return;
        }
        out.setLength(0);
      }
    }
    if (!out.isEmpty()) {
      write(c, out);
    }
  }

  private void broadcast(List<ViewEvent> events) {
    if (clients.isEmpty()) {
      return;
    }
    List<String> json = new ArrayList<>(events.size());
    List<String> tenants = new ArrayList<>(events.size());
    for (ViewEvent e : events) {
      json.add(json(e));
      tenants.add(view.tenantOf(e));
    }
    for (Client c : List.copyOf(clients.values())) {
      if (c.backedUp) {
        continue; // catches up from the retained events when it drains
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < events.size(); i++) {
        append(c, events.get(i), tenants.get(i), json.get(i), out);
      }
      if (!out.isEmpty()) {
        write(c, out);
      }
    }
  }

  /**
   * Adds the event unless the client's position covers it or it is another tenant's, and moves
   * the position past it.
   */
  private static void append(Client c, ViewEvent e, String tenant, String json,
      StringBuilder out) {
    if (c.at.covers(e)) {
      return;
    }
    c.at = c.at.after(e);
    if (!c.tenant.equals(tenant)) {
      return;
    }
    out.append("id: ").append(c.at.encode()).append("\nevent: ").append(e.kind().eventName())
        .append("\ndata: ").append(json).append("\n\n");
  }

  private void heartbeat() {
    for (Client c : List.copyOf(clients.values())) {
      if (!c.backedUp) {
        write(c, ": keep-alive\n\n");
      }
    }
  }

  /**
   * Writes to the client, counting what its connection has not taken yet (a write completes once
   * handed to the socket).
   *
   * @return false when the client is gone or backed up (it then catches up once it drains)
   */
  private boolean write(Client c, CharSequence text) {
    if (c.res.closed() || c.res.ended()) {
      drop(c.res);
      return false;
    }
    int n = text.length();
    c.pending += n;
    c.res.write(text.toString()).onComplete(r -> {
      c.pending -= n;
      if (c.backedUp && c.pending <= DRAINED_CHARS && clients.get(c.res) == c) {
        catchUp(c);
      }
    });
    if (c.pending > BACKED_UP_CHARS) {
      c.backedUp = true;
      return false;
    }
    return true;
  }

  private void drop(HttpServerResponse res) {
    if (clients.remove(res) != null) {
      connected.set(clients.size());
    }
  }

  private static String json(ViewEvent e) {
    return switch (e.kind()) {
      case VERDICT -> VerdictJson.of((Verdict) e.payload()).encode();
      case DELETED -> new io.vertx.core.json.JsonObject().put("videoId", e.videoId()).encode();
      case ALERT -> ProtoJson.print((Alert) e.payload());
    };
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
