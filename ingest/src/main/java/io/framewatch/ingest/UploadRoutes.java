package io.framewatch.ingest;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.BurstPolicy;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.ApiKeys.Principal;
import io.framewatch.runtime.OutboundGuard;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/videos}: a multipart upload (already streamed into the media store's
 * {@code incoming/} and validated against the document) is sniffed, moved into the store and
 * queued (202 with its id); a JSON body is a URL to fetch ({@link #intakeByUrl}). Blocking work
 * (reading the file's head, the move, the broker's acknowledgements) runs on the worker pool.
 */
final class UploadRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(UploadRoutes.class);

  private final Vertx vertx;
  private final MediaStore media;
  private final JobPublisher jobs;
  private final Quota quota;
  private final OutboundGuard guard;
  private final UrlDownloads downloads;

  /**
   * @param guard which hosts a URL to fetch may name
   * @param downloads runs the fetches of URL intakes
   */
  UploadRoutes(Vertx vertx, MediaStore media, JobPublisher jobs, Quota quota, OutboundGuard guard,
      UrlDownloads downloads) {
    this.vertx = vertx;
    this.media = media;
    this.jobs = jobs;
    this.quota = quota;
    this.guard = guard;
    this.downloads = downloads;
  }

  /** {@code POST /v1/videos}: an upload or, with a JSON body, a URL. */
  void submit(RoutingContext ctx) {
    if (FrontDoor.isMultipart(ctx)) {
      upload(ctx);
    } else {
      intakeByUrl(ctx);
    }
  }

  /**
   * {@code POST /v1/videos} with JSON {@code {"url": ..., options}} (validated against the
   * document): the URL's form ({@link IntakeUrl}), its host ({@link OutboundGuard}) and the
   * tenant's limits are checked here and refused directly (400, 429); then the video's Accepted
   * event is published (so its verdict exists and is the caller's), 202 answers at once and the
   * fetch runs in the background ({@link UrlDownloads}), which queues the job once the file is
   * stored. The URL's query string appears nowhere but in the request to the source.
   */
  void intakeByUrl(RoutingContext ctx) {
    JsonObject body = ApiRouter.body(ctx);
    String given = body.getString("url");
    IntakeUrl url;
    try {
      url = IntakeUrl.parse(given);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    Principal caller = ApiKeyAuth.principal(ctx);
    VideoJob job = options(body).setVideoId(UUID.randomUUID().toString())
        .setTenant(caller.tenant()).setFileName(url.fileName())
        .setSubmittedAtMs(System.currentTimeMillis()).build();
    vertx.executeBlocking(() -> admit(caller, url, job)).onComplete(r -> {
      if (!answeredRefusal(ctx, r, "intake of " + url.redacted())) {
        String id = job.getVideoId();
        downloads.start(given, job);
        ctx.response().setStatusCode(202).putHeader("Location", "/v1/videos/" + id);
        ctx.json(new JsonObject().put("videoId", id).put("status", "RUNNING")
            .put("fileName", job.getFileName()).put("statusUrl", "/v1/videos/" + id));
      }
    });
  }

  /** The blocking checks of a URL intake, then its Accepted event (not its job yet). */
  private Outcome admit(Principal caller, IntakeUrl url, VideoJob job) throws Exception {
    try {
      guard.check(url.host());
    } catch (IllegalArgumentException e) { // OutboundGuard.Refused among them
      return new Refused(400, e.getMessage());
    }
    Optional<TenantLimits.Refusal> over = quota.refuse(caller, new Quota.Request(false, 0));
    if (over.isPresent()) {
      return new OverLimit(over.get());
    }
    jobs.accept(job.getVideoId(), job.getSubmittedAtMs(), Accepted.newBuilder()
        .setFileName(job.getFileName()).setTenant(caller.tenant()).build());
    LOG.info("accepted video {} of {} by URL ({}), fetching", job.getVideoId(), caller.tenant(),
        url.redacted());
    return new Queued(job.getVideoId());
  }

  private void upload(RoutingContext ctx) {
    Principal caller = ApiKeyAuth.principal(ctx);
    // the document requires a 'file' part, so there is one
    FileUpload up = ctx.fileUploads().stream().filter(u -> "file".equals(u.name())).findFirst()
        .orElseThrow();
    if (up.size() == 0) {
      ApiErrors.send(ctx, 400, "empty upload: '" + up.fileName() + "' has 0 bytes");
      return;
    }
    VideoJob.Builder job = options(ApiRouter.body(ctx)).setTenant(caller.tenant());
    vertx.executeBlocking(() -> accept(caller, up, job)).onComplete(r -> {
      if (!answeredRefusal(ctx, r, "upload " + up.fileName())) {
        String id = ((Queued) r.result()).videoId();
        ctx.response().setStatusCode(202).putHeader("Location", "/v1/videos/" + id);
        ctx.json(new JsonObject().put("videoId", id).put("status", "RUNNING")
            .put("fileName", up.fileName()).put("sizeBytes", up.size())
            .put("statusUrl", "/v1/videos/" + id));
      }
    });
  }

  /**
   * Answers a failed or refused submission (503, 429 with Retry-After, or its status) and says
   * so; false when {@code r} queued the video and the caller answers 202.
   */
  private static boolean answeredRefusal(RoutingContext ctx, AsyncResult<Outcome> r,
      String what) {
    if (r.failed()) {
      LOG.warn("{} failed: {}", what, r.cause().toString());
      ApiErrors.send(ctx, 503, "could not queue the video: " + r.cause().getMessage());
    } else if (r.result() instanceof OverLimit no) {
      Quota.answer(ctx, no.refusal());
    } else if (r.result() instanceof Refused no) {
      ApiErrors.send(ctx, no.status(), no.reason());
    } else {
      return false;
    }
    return true;
  }

  private sealed interface Outcome permits Queued, Refused, OverLimit {}

  private record Queued(String videoId) implements Outcome {}

  private record Refused(int status, String reason) implements Outcome {}

  private record OverLimit(TenantLimits.Refusal refusal) implements Outcome {}

  private Outcome accept(Principal caller, FileUpload up, VideoJob.Builder job) throws Exception {
    Path tmp = Path.of(up.uploadedFileName());
    byte[] head;
    try (InputStream in = Files.newInputStream(tmp)) {
      head = in.readNBytes(ContainerSniffer.HEAD_BYTES);
    }
    Optional<String> container = ContainerSniffer.detect(head);
    if (container.isEmpty()) {
      return new Refused(415, "not a video: '" + up.fileName() + "' looks like "
          + ContainerSniffer.describe(head) + ", not a video container");
    }
    Optional<TenantLimits.Refusal> over = quota.refuse(caller,
        new Quota.Request(false, up.size()));
    if (over.isPresent()) {
      return new OverLimit(over.get());
    }
    String id = UUID.randomUUID().toString();
    Path stored = media.keep(tmp, id, container.get());
    jobs.publish(job.setVideoId(id).setSourceUri(stored.toString()).setFileName(up.fileName())
        .setSizeBytes(up.size()).setSubmittedAtMs(System.currentTimeMillis()).build(),
        Accepted.newBuilder().setFileName(up.fileName()).setSizeBytes(up.size()));
    LOG.info("accepted video {} of {} ({}, {} bytes, {})", id, caller.tenant(), up.fileName(),
        up.size(), container.get());
    return new Queued(id);
  }

  /**
   * Per-job options from the upload's validated form fields: {@code fps}, {@code maxFrames},
   * {@code keyframesOnly}, {@code maxSide}, {@code pixelFormat} (yuv420p|bgr24),
   * {@code burstFrames}, {@code burstEverySeconds} and {@code burstMaxSide} (ranges in the
   * document).
   */
  static VideoJob.Builder options(JsonObject form) {
    SamplingPolicy.Builder p = SamplingPolicy.newBuilder();
    if (form.getValue("fps") instanceof Number fps) {
      p.setFramesPerSecond(fps.doubleValue());
    }
    if (form.getValue("maxFrames") instanceof Number max) {
      p.setMaxFrames(max.intValue());
    }
    if (form.getValue("keyframesOnly") instanceof Boolean keys) {
      p.setKeyframesOnly(keys);
    }
    VideoJob.Builder job = VideoJob.newBuilder().setDetectSampling(p);
    if (form.getValue("maxSide") instanceof Number side) {
      job.setMaxAnalysisSide(side.intValue());
    }
    if (form.getValue("pixelFormat") instanceof String format) {
      job.setPixelFormat(format.equals("bgr24") ? PixelFormat.BGR24 : PixelFormat.YUV420P);
    }
    Object burst = form.getValue("burstFrames");
    Object every = form.getValue("burstEverySeconds");
    Object burstSide = form.getValue("burstMaxSide");
    if (burst != null || every != null || burstSide != null) {
      job.setBursts(BurstPolicy.newBuilder()
          .setFrames(burst instanceof Number n ? n.intValue() : 5)
          .setEverySeconds(every instanceof Number n ? n.doubleValue() : 0)
          .setMaxSide(burstSide instanceof Number n ? n.intValue() : 0));
    }
    return job;
  }
}
