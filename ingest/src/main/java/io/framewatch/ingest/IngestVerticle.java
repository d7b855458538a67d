package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.proto.Accepted;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.topic.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code POST /v1/videos} (multipart upload, streamed to the media store, 202 with
 * a video id), live streams, and the read routes of {@link ReadApi}. Blocking work (file checks,
 * Kafka acknowledgements) runs on the worker pool, never on the event loop.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  static final Pattern VIDEO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final long ACCEPTED_MEMORY_MS = TimeUnit.HOURS.toMillis(1);

  private final IngestConfig cfg;
  private final Producer<byte[], byte[]> producer;
  private final ReadView view;
  /** Videos accepted here that the read view has not seen yet (answers GET right after POST). */
  private final Map<String, Long> accepted = new ConcurrentHashMap<>();
  private HttpServer server;
  private WebhookRoutes webhooks;
  private ReadApi readApi;

  IngestVerticle(IngestConfig cfg, Producer<byte[], byte[]> producer, ReadView view) {
    this.cfg = cfg;
    this.producer = producer;
    this.view = view;
  }

  @Override
  public Future<?> start() throws Exception {
    Files.createDirectories(cfg.mediaDir().resolve("incoming"));
    Files.createDirectories(cfg.mediaDir().resolve("videos"));
    Router router = Router.router(vertx);
    io.framewatch.ingest.dashboard.Dashboard.mount(router, vertx, cfg.cacheDir());
    router.post("/v1/videos").handler(this::requireMultipart);
    router.post("/v1/videos").handler(BodyHandler.create(cfg.mediaDir().resolve("incoming").toString())
        .setBodyLimit(cfg.maxUploadBytes())
        .setDeleteUploadedFilesOnEnd(true));
    router.post("/v1/videos").handler(this::upload);
    StreamRoutes.mount(vertx, router, producer, cfg.guard(), accepted);
    webhooks = new WebhookRoutes(vertx, producer, cfg.kafka());
    webhooks.mount(router);
    readApi = ReadApi.mount(vertx, router, view, accepted, ReadApi.HEARTBEAT_MS);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(cfg.port(), cfg.host())
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() throws Exception {
    if (readApi != null) {
      readApi.close();
    }
    return webhooks == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          webhooks.close();
          return null;
        });
  }

  /** The bound port (useful when the configured port was 0). */
  int port() {
    return server.actualPort();
  }

  /** Clients of the event stream now. */
  int eventClients() {
    return readApi.eventClients();
  }

  /**
   * Only multipart bodies are streamed to disk by the body handler; anything else would be
   * buffered in memory, so it is refused before its body is read.
   */
  private void requireMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
      error(ctx, 415, "send the video as multipart/form-data with a 'file' field");
      return;
    }
    ctx.next();
  }

  private void upload(RoutingContext ctx) {
    if (ctx.fileUploads().isEmpty()) {
      error(ctx, 400, "no file in the upload: send the video in a multipart field named 'file'");
      return;
    }
    FileUpload up = ctx.fileUploads().stream().filter(u -> "file".equals(u.name())).findFirst()
        .orElse(ctx.fileUploads().get(0));
    if (up.size() == 0) {
      error(ctx, 400, "empty upload: '" + up.fileName() + "' has 0 bytes");
      return;
    }
    VideoJob.Builder options;
    try {
      options = jobOptions(ctx);
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> accept(up, options)).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("upload {} failed: {}", up.fileName(), r.cause().toString());
        error(ctx, 503, "could not queue the video: " + r.cause().getMessage());
      } else if (r.result() instanceof Rejected rej) {
        error(ctx, 415, rej.reason());
      } else {
        String id = ((Queued) r.result()).videoId();
        ctx.response().setStatusCode(202).putHeader("Location", "/v1/videos/" + id);
        ctx.json(new JsonObject().put("videoId", id).put("status", "RUNNING")
            .put("fileName", up.fileName()).put("sizeBytes", up.size())
            .put("statusUrl", "/v1/videos/" + id));
      }
    });
  }

  private sealed interface Outcome permits Queued, Rejected {}

  private record Queued(String videoId) implements Outcome {}

  private record Rejected(String reason) implements Outcome {}

  private Outcome accept(FileUpload up, VideoJob.Builder options) throws Exception {
    Path tmp = Path.of(up.uploadedFileName());
    byte[] head;
    try (InputStream in = Files.newInputStream(tmp)) {
      head = in.readNBytes(ContainerSniffer.HEAD_BYTES);
    }
    Optional<String> container = ContainerSniffer.detect(head);
    if (container.isEmpty()) {
      return new Rejected("not a video: '" + up.fileName() + "' looks like "
          + ContainerSniffer.describe(head) + ", not a video container");
    }
    String id = UUID.randomUUID().toString();
    Path stored = cfg.mediaDir().resolve("videos").resolve(id + "." + container.get());
    Files.move(tmp, stored, StandardCopyOption.ATOMIC_MOVE);
    long now = System.currentTimeMillis();
    VideoJob job = options.setVideoId(id).setSourceUri(stored.toString())
        .setFileName(up.fileName()).setSizeBytes(up.size()).setSubmittedAtMs(now).build();
    VideoEvent event = VideoEvent.newBuilder().setVideoId(id).setAtMs(now).setWorker("ingest")
        .setAccepted(Accepted.newBuilder().setFileName(up.fileName()).setSizeBytes(up.size()))
        .build();
    // The accepted event goes first, so the verdict exists before any decode event.
    var ev = producer.send(Topics.VIDEO_EVENTS.record(id, event));
    var jb = producer.send(Topics.VIDEO_JOBS.record(id, job));
    ev.get(30, TimeUnit.SECONDS);
    jb.get(30, TimeUnit.SECONDS);
    accepted.values().removeIf(t -> t < now - ACCEPTED_MEMORY_MS);
    accepted.put(id, now);
    LOG.info("accepted video {} ({}, {} bytes, {})", id, up.fileName(), up.size(), container.get());
    return new Queued(id);
  }

  /**
   * Per-job options from the upload's form fields: {@code fps}, {@code maxFrames},
   * {@code keyframesOnly}, {@code maxSide}, {@code pixelFormat} (yuv420p|bgr24),
   * {@code burstFrames}, {@code burstEverySeconds} and {@code burstMaxSide}.
   */
  private static VideoJob.Builder jobOptions(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    SamplingPolicy.Builder p = SamplingPolicy.newBuilder();
    Double fps = number(form.get("fps"), "fps");
    if (fps != null) {
      if (!(fps > 0 && fps <= 240)) {
        throw new IllegalArgumentException("fps must be in (0, 240], got " + fps);
      }
      p.setFramesPerSecond(fps);
    }
    Integer max = integer(form.get("maxFrames"), "maxFrames", 1, Integer.MAX_VALUE);
    if (max != null) {
      p.setMaxFrames(max);
    }
    String keys = form.get("keyframesOnly");
    if (keys != null && !keys.isBlank()) {
      if (!keys.equals("true") && !keys.equals("false")) {
        throw new IllegalArgumentException("keyframesOnly must be true or false, got '" + keys
            + "'");
      }
      p.setKeyframesOnly(Boolean.parseBoolean(keys));
    }
    VideoJob.Builder job = VideoJob.newBuilder().setDetectSampling(p);
    Integer side = integer(form.get("maxSide"), "maxSide", 16, 8192);
    if (side != null) {
      job.setMaxAnalysisSide(side);
    }
    String format = form.get("pixelFormat");
    if (format != null && !format.isBlank()) {
      switch (format.toLowerCase(java.util.Locale.ROOT)) {
        case "yuv420p" -> job.setPixelFormat(io.framewatch.proto.PixelFormat.YUV420P);
        case "bgr24" -> job.setPixelFormat(io.framewatch.proto.PixelFormat.BGR24);
        default -> throw new IllegalArgumentException("pixelFormat must be yuv420p or bgr24, got '"
            + format + "'");
      }
    }
    Integer burst = integer(form.get("burstFrames"), "burstFrames", 1, 64);
    Double every = number(form.get("burstEverySeconds"), "burstEverySeconds");
    Integer burstSide = integer(form.get("burstMaxSide"), "burstMaxSide", 16, 8192);
    if (burst != null || every != null || burstSide != null) {
      if (every != null && every < 0) {
        throw new IllegalArgumentException("burstEverySeconds must be >= 0, got " + every);
      }
      job.setBursts(io.framewatch.proto.BurstPolicy.newBuilder()
          .setFrames(burst == null ? 5 : burst).setEverySeconds(every == null ? 0 : every)
          .setMaxSide(burstSide == null ? 0 : burstSide));
    }
    return job;
  }

  private static Double number(String v, String name) {
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
    }
  }

  private static Integer integer(String v, String name, int min, int max) {
    if (v == null || v.isBlank()) {
      return null;
    }
    int i;
    try {
      i = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
    }
    if (i < min || i > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got "
          + i);
    }
    return i;
  }

  static void error(RoutingContext ctx, int status, String reason) {
    ctx.response().setStatusCode(status);
    ctx.json(new JsonObject().put("error", reason).put("status", status));
  }
}
