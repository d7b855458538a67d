package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/tenants} for admin keys: per tenant, its videos (with a verdict), live streams
 * still running, bytes stored (the sum of its verdicts' {@code stored_bytes}) and videos with an
 * open alert, from the read view; every tenant that has a key is listed, with zeros when it has
 * nothing. A key without the admin flag gets the 404 of a route that does not exist.
 */
final class TenantRoutes {
  private final ReadView view;
  private final List<String> tenants;

  /** @param tenants the tenants that have keys */
  TenantRoutes(ReadView view, List<String> tenants) {
    this.view = view;
    this.tenants = List.copyOf(tenants);
  }

  void list(RoutingContext ctx) {
    if (!ApiKeyAuth.principal(ctx).admin()) {
      ApiErrors.notFound(ctx);
      return;
    }
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    ReadApi.respondOffLoop(ctx, () -> {
      JsonArray out = new JsonArray();
      TenantUsage.of(view.verdicts(), tenants).forEach((tenant, u) -> out.add(u.json(tenant)));
      return new JsonObject().put("tenants", out).encode();
    }, null);
  }
}
