package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.runtime.ApiKeys.Principal;
import io.vertx.ext.web.RoutingContext;

/**
 * Which tenant owns a video or stream: its verdict's {@code tenant} (the sink copies it from the
 * Accepted event), or, before the read view has the verdict, the tenant this replica queued it
 * for. A record of another tenant is answered exactly as an unknown id, so ids do not leak.
 */
final class Ownership {
  private final ReadView view;
  private final JobPublisher jobs;

  Ownership(ReadView view, JobPublisher jobs) {
    this.view = view;
    this.jobs = jobs;
  }

  /** The owner's tenant; empty when neither the view nor this replica knows the video. */
  String owner(String videoId) {
    String t = view.owner(videoId);
    return t.isEmpty() ? jobs.recent(videoId).map(JobPublisher.Recent::tenant).orElse("") : t;
  }

  /** Whether the caller's tenant owns the video. */
  boolean owns(Principal caller, String videoId) {
    return caller.tenant().equals(owner(videoId));
  }

  /**
   * Answers 503 while the view is loading (unless this replica queued the video) and 404 when the
   * caller's tenant does not own it.
   *
   * @param notFound the reason of the 404, the same as for an unknown id
   * @return true when the request was answered
   */
  boolean refuseUnlessOwned(RoutingContext ctx, String videoId, String notFound) {
    if (jobs.recent(videoId).isEmpty() && QueryParams.refuseWhileLoading(ctx, view)) {
      return true;
    }
    if (!owns(ApiKeyAuth.principal(ctx), videoId)) {
      ApiErrors.send(ctx, 404, notFound);
      return true;
    }
    return false;
  }
}
