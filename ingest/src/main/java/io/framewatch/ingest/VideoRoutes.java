package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.VideoDetail;
import io.framewatch.ingest.view.VideoPage;
import io.framewatch.ingest.view.VideoQuery;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.runtime.ApiKeys.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/videos} (the listing: newest update first, filtered by {@code status} and
 * {@code since}, paged by {@code limit} and an opaque {@code cursor}) and
 * {@code GET /v1/videos/{id}} (one video with its timeline and alerts), from the read view.
 */
final class VideoRoutes {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  private static final List<String> STATUSES = List.of("RUNNING", "FINAL", "FAILED", "STALLED");

  private final ReadView view;
  private final JobPublisher jobs;
  private final Ownership owners;

  /**
   * @param view the read view
   * @param jobs what this replica queued: a video the view has not read yet is RUNNING rather
   *     than unknown
   */
  VideoRoutes(ReadView view, JobPublisher jobs) {
    this.view = view;
    this.jobs = jobs;
    this.owners = new Ownership(view, jobs);
  }

  /** Who owns which video, as this replica knows it. */
  Ownership owners() {
    return owners;
  }

  void list(RoutingContext ctx) {
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    VideoPage page;
    try {
      String status = QueryParams.text(ctx, "status");
      if (status != null && !STATUSES.contains(status)) {
        throw new IllegalArgumentException("status must be one of " + String.join(", ", STATUSES)
            + ", got '" + status + "'");
      }
      page = view.videos(new VideoQuery(status == null ? null : VerdictStatus.valueOf(status),
          QueryParams.since(ctx), QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT),
          QueryParams.text(ctx, "cursor"), ApiKeyAuth.principal(ctx).tenant()));
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    ReadApi.respondOffLoop(ctx, () -> {
      JsonArray videos = new JsonArray();
      for (Verdict v : page.videos()) {
        videos.add(VerdictJson.of(v));
      }
      return new JsonObject().put("videos", videos).put("next", page.next()).encode();
    }, null);
  }

  /** {@code GET /v1/videos/{id}} and {@code GET /v1/streams/{id}}: the caller's video only. */
  void detail(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    String tenant = ApiKeyAuth.principal(ctx).tenant();
    ReadApi.respondOffLoop(ctx, () -> {
      if (!tenant.equals(owners.owner(id))) {
        return null;
      }
      Optional<VideoDetail> d = view.video(id);
      if (d.isPresent()) {
        jobs.forget(id);
        return DetailJson.of(d.get()).encode();
      }
      long at = jobs.recent(id).map(JobPublisher.Recent::atMs).orElse(0L);
      return DetailJson.of(new VideoDetail(Verdict.newBuilder().setVideoId(id)
          .setStatus(VerdictStatus.RUNNING).setFirstEventMs(at).setUpdatedMs(at)
          .setTenant(tenant).build(), List.of(), List.of())).encode();
    }, "no video with id " + id);
  }

  /**
   * {@code DELETE /v1/videos/{id}}: another tenant's or an unknown id is 404; the caller's video
   * is deleted by {@code deletion} (files now, the verdict's tombstone through the sink) and the
   * answer is 202 with what was removed.
   */
  void delete(RoutingContext ctx, VideoDeletion deletion) {
    String id = ctx.pathParam("id");
    String notFound = "no video with id " + id;
    if (owners.refuseUnlessOwned(ctx, id, notFound)) {
      return;
    }
    Principal caller = ApiKeyAuth.principal(ctx);
    ctx.vertx().executeBlocking(() -> deletion.delete(id, caller.tenant(),
        VideoDeletion.Reason.REQUEST, caller.keyId()), false).onComplete(r -> {
          if (r.failed()) {
            ApiErrors.send(ctx, 503, "could not delete the video: " + r.cause().getMessage());
          } else if (!r.result().existed()) {
            ApiErrors.send(ctx, 404, notFound);
          } else {
            jobs.forget(id);
            ctx.response().setStatusCode(202);
            ctx.json(new JsonObject().put("videoId", id).put("status", "DELETED")
                .put("filesRemoved", r.result().filesRemoved())
                .put("bytesRemoved", r.result().bytesRemoved()));
          }
        });
  }
}
