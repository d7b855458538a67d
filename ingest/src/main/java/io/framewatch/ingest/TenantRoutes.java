package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  /** One tenant's totals. */
  private static final class Usage {
    long videos;
    long liveStreams;
    long storedBytes;
    long alertsOpen;

    JsonObject json(String tenant) {
      return new JsonObject().put("tenant", tenant).put("videos", videos)
          .put("liveStreams", liveStreams).put("storedBytes", storedBytes)
          .put("alertsOpen", alertsOpen);
    }
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
      usage().forEach((tenant, u) -> out.add(u.json(tenant)));
      return new JsonObject().put("tenants", out).encode();
    }, null);
  }

  /** Totals by tenant name; verdicts without a tenant are not counted. */
  private Map<String, Usage> usage() {
    Map<String, Usage> by = new TreeMap<>();
    tenants.forEach(t -> by.put(t, new Usage()));
    for (Verdict v : view.verdicts()) {
      if (v.getTenant().isEmpty()) {
        continue;
      }
      Usage u = by.computeIfAbsent(v.getTenant(), t -> new Usage());
      u.videos++;
      boolean running = v.getStatus() == VerdictStatus.RUNNING
          || v.getStatus() == VerdictStatus.STALLED
          || v.getStatus() == VerdictStatus.VERDICT_STATUS_UNSPECIFIED;
      if (v.getLive() && running) {
        u.liveStreams++;
      }
      u.storedBytes += v.getStoredBytes();
      if (v.getAlertOpen()) {
        u.alertsOpen++;
      }
    }
    return by;
  }
}
