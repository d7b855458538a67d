package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.VideoDetail;
import io.framewatch.ingest.view.VideoPage;
import io.framewatch.ingest.view.VideoQuery;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
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
  private final Map<String, Long> accepted;

  /**
   * @param view the read view
   * @param accepted videos this replica accepted, by acceptance time, that the view may not have
   *     read yet: they are RUNNING rather than unknown
   */
  VideoRoutes(ReadView view, Map<String, Long> accepted) {
    this.view = view;
    this.accepted = accepted;
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
          QueryParams.text(ctx, "cursor")));
    } catch (IllegalArgumentException e) {
      IngestVerticle.error(ctx, 400, e.getMessage());
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

  void detail(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!IngestVerticle.VIDEO_ID.matcher(id).matches()) {
      IngestVerticle.error(ctx, 400, "malformed video id '" + id + "'");
      return;
    }
    if (QueryParams.refuseWhileLoading(ctx, view)) {
      return;
    }
    ReadApi.respondOffLoop(ctx, () -> {
      Optional<VideoDetail> d = view.video(id);
      Long acceptedAt = accepted.get(id);
      if (d.isPresent()) {
        accepted.remove(id);
        return DetailJson.of(d.get()).encode();
      }
      return acceptedAt == null ? null : DetailJson.of(new VideoDetail(Verdict.newBuilder()
          .setVideoId(id).setStatus(VerdictStatus.RUNNING).setFirstEventMs(acceptedAt)
          .setUpdatedMs(acceptedAt).build(), List.of(), List.of())).encode();
    }, "no video with id " + id);
  }
}
