package io.framewatch.ingest;

import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What tenants hold, counted from the latest verdict of every video (the read view's): the admin
 * usage listing ({@code GET /v1/tenants}) and the per-tenant limits ({@link Quota}) count the
 * same way. A walk over every verdict the view holds.
 */
final class TenantUsage {
  private TenantUsage() {}

  /** One tenant's totals. */
  static final class Usage {
    long videos;
    long liveStreams;
    long storedBytes;
    long alertsOpen;

    JsonObject json(String tenant) {
      return new JsonObject().put("tenant", tenant).put("videos", videos)
          .put("liveStreams", liveStreams).put("storedBytes", storedBytes)
          .put("alertsOpen", alertsOpen);
    }

    void add(Verdict v) {
      videos++;
      boolean running = v.getStatus() == VerdictStatus.RUNNING
          || v.getStatus() == VerdictStatus.STALLED
          || v.getStatus() == VerdictStatus.VERDICT_STATUS_UNSPECIFIED;
      if (v.getLive() && running) {
        liveStreams++;
      }
      storedBytes += v.getStoredBytes();
      if (v.getAlertOpen()) {
        alertsOpen++;
      }
    }
  }

  /**
   * Totals by tenant name, with every tenant of {@code tenants} listed (zeros when it holds
   * nothing); verdicts without a tenant are not counted.
   */
  static Map<String, Usage> of(Iterable<Verdict> verdicts, List<String> tenants) {
    Map<String, Usage> by = new TreeMap<>();
    tenants.forEach(t -> by.put(t, new Usage()));
    for (Verdict v : verdicts) {
      if (!v.getTenant().isEmpty()) {
        by.computeIfAbsent(v.getTenant(), t -> new Usage()).add(v);
      }
    }
    return by;
  }

  /** One tenant's totals. */
  static Usage of(Iterable<Verdict> verdicts, String tenant) {
    Usage u = new Usage();
    for (Verdict v : verdicts) {
      if (v.getTenant().equals(tenant)) {
        u.add(v);
      }
    }
    return u;
  }
}
