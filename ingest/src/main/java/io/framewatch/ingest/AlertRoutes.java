package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.proto.Alert;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/alerts?since=&limit=}: the newest {@code limit} alert transitions of the
 * caller's videos emitted at or after {@code since} (ms since the epoch), oldest first, from the
 * read view.
 */
final class AlertRoutes {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private final ReadView view;

  AlertRoutes(ReadView view) {
    this.view = view;
  }

  void list(RoutingContext ctx) {
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    List<Alert> alerts;
    try {
      alerts = view.alerts(ApiKeyAuth.principal(ctx).tenant(), QueryParams.since(ctx),
          QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT));
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    ReadApi.respondOffLoop(ctx,
        () -> new JsonObject().put("alerts", DetailJson.alerts(alerts)).encode(), null);
  }
}
