package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.runtime.ApiKeys.Principal;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The check point of per-tenant limits: uploads (once the file is on disk, before the job is
 * queued), URL intakes and live streams (before anything is queued) ask it, on the worker pool; a
 * refusal is answered 429 with its reason and {@code Retry-After} ({@link #answer}), and nothing
 * is queued.
 */
interface Quota {
  /** Admits everything. */
  Quota NONE = (caller, request) -> Optional.empty();

  /**
   * What a tenant asks to start.
   *
   * @param live a live stream rather than an upload
   * @param sizeBytes bytes the job will store (0 for a live stream or a URL not yet fetched)
   */
  record Request(boolean live, long sizeBytes) {}

  /**
   * Decides whether {@code caller} may start {@code request}; may block.
   *
   * @return the refusal to answer with 429, empty to admit
   */
  Optional<TenantLimits.Refusal> refuse(Principal caller, Request request);

  /**
   * The tenants' limits, with usage counted from the read view's verdicts ({@link TenantUsage}):
   * stored bytes are the sum of the tenant's verdicts' {@code stored_bytes}, running streams its
   * live verdicts that have not ended. A job queued moments ago that the view has not read yet is
   * not counted, so requests racing each other can pass together (docs/OPERATIONS.md).
   */
  static Quota of(TenantLimits limits, ReadView view) {
    return (caller, request) -> {
      TenantUsage.Usage u = TenantUsage.of(view.verdicts(), caller.tenant());
      return request.live() ? limits.admitStream(caller.tenant(), (int) u.liveStreams)
          : limits.admitUpload(caller.tenant(), request.sizeBytes(), u.storedBytes,
              System.currentTimeMillis());
    };
  }

  /** Answers a refusal: 429, {@code Retry-After} and the reason. */
  static void answer(RoutingContext ctx, TenantLimits.Refusal refusal) {
    ctx.response().putHeader("Retry-After", refusal.retryAfter());
    ApiErrors.send(ctx, TenantLimits.Refusal.STATUS, refusal.reason());
  }
}
