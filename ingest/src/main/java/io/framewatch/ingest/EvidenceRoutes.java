package io.framewatch.ingest;

import io.framewatch.runtime.VideoFiles;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code GET /v1/videos/{id}/evidence/{name}}: one evidence file of the caller's video (an
 * aligned face crop, PNG, or a frame thumbnail with the face boxes, JPEG), as decode wrote it
 * into the media store. Another tenant's video is an unknown id (404), as for its detail; only the
 * names decode gives ({@link VideoFiles#EVIDENCE_NAME}) are served, so no name leaves the video's
 * evidence directory; a named file not written yet (or never: the verdict's track says why) is
 * 404.
 */
final class EvidenceRoutes {
  private final VideoFiles files;
  private final Ownership owners;

  EvidenceRoutes(VideoFiles files, Ownership owners) {
    this.files = files;
    this.owners = owners;
  }

  /** Public URL path of an evidence file (what the verdict JSON links). */
  static String url(String videoId, String name) {
    return "/v1/videos/" + videoId + "/evidence/" + name;
  }

  void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String name = ctx.pathParam("name");
    if (owners.refuseUnlessOwned(ctx, id, "no video with id " + id)) {
      return;
    }
    Path file;
    try {
      file = files.evidenceFile(id, name);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    ctx.vertx().executeBlocking(() -> Files.isRegularFile(file), false).onComplete(r -> {
      if (r.failed() || !r.result()) {
        ApiErrors.send(ctx, 404, "video " + id + " has no evidence file " + name
            + " (not extracted yet, or extraction failed: see its verdict's tracks)");
        return;
      }
      // evidence never changes under its name, but belongs to one tenant: private caching only
      ctx.response().putHeader("Content-Type", name.endsWith(".png") ? "image/png" : "image/jpeg")
          .putHeader("Cache-Control", "private, max-age=3600")
          .putHeader("X-Content-Type-Options", "nosniff")
          .sendFile(file.toString()).onFailure(e -> ApiErrors.send(ctx, 404,
              "video " + id + " has no evidence file " + name));
    });
  }
}
