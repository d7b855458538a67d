package io.framewatch.ingest;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/streams} and {@code POST /v1/streams/{id}/stop}. A stream URL must have a
 * network scheme ({@link StreamUrls}) and a host the {@link OutboundGuard} allows: loopback,
 * link-local, multicast and (unless allowed) private addresses get 400 naming the class.
 */
final class StreamRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(StreamRoutes.class);

  private final Vertx vertx;
  private final Producer<byte[], byte[]> producer;
  private final OutboundGuard guard;
  private final Map<String, Long> accepted;

  private StreamRoutes(Vertx vertx, Producer<byte[], byte[]> producer, OutboundGuard guard,
      Map<String, Long> accepted) {
    this.vertx = vertx;
    this.producer = producer;
    this.guard = guard;
    this.accepted = accepted;
  }

  /** Mounts the stream routes; {@code accepted} records the ids queued here. */
  static void mount(Vertx vertx, Router router, Producer<byte[], byte[]> producer,
      OutboundGuard guard, Map<String, Long> accepted) {
    StreamRoutes r = new StreamRoutes(vertx, producer, guard, accepted);
    router.post("/v1/streams").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.post("/v1/streams").handler(r::startStream);
    router.post("/v1/streams/:id/stop").handler(r::stopStream);
  }

  /**
   * {@code POST /v1/streams} with JSON {@code {"url": ..., "fps": 2, "maxFrames": 0}}: queues a
   * live job. Only network schemes are accepted, never local paths.
   */
  void startStream(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      IngestVerticle.error(ctx, 400, "send JSON like {\"url\": \"rtsp://camera/stream\"}");
      return;
    }
    if (body == null || !(body.getValue("url") instanceof String url) || url.isBlank()) {
      IngestVerticle.error(ctx, 400, "missing 'url'");
      return;
    }
    String host;
    try {
      host = StreamUrls.check(url);
    } catch (IllegalArgumentException e) {
      IngestVerticle.error(ctx, 400, e.getMessage());
      return;
    }
    // resolving may block: off the event loop. Decode checks again, on the address it connects to.
    vertx.executeBlocking(() -> guard.check(host)).onComplete(r -> {
      if (r.failed()) {
        IngestVerticle.error(ctx, r.cause() instanceof OutboundGuard.Refused ? 400 : 503,
            r.cause().getMessage());
      } else {
        queue(ctx, body, url);
      }
    });
  }

  private void queue(RoutingContext ctx, JsonObject body, String url) {
    SamplingPolicy.Builder policy = SamplingPolicy.newBuilder();
    try {
      if (body.containsKey("fps")) {
        double fps = body.getDouble("fps");
        if (!(fps > 0 && fps <= 240)) {
          throw new IllegalArgumentException("fps must be in (0, 240], got " + fps);
        }
        policy.setFramesPerSecond(fps);
      }
      if (body.containsKey("maxFrames")) {
        int max = body.getInteger("maxFrames");
        if (max < 1) {
          throw new IllegalArgumentException("maxFrames must be >= 1, got " + max);
        }
        policy.setMaxFrames(max);
      }
    } catch (ClassCastException | IllegalArgumentException e) {
      IngestVerticle.error(ctx, 400, e instanceof ClassCastException ? "fps and maxFrames must be numbers"
          : e.getMessage());
      return;
    }
    String id = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    VideoJob job = VideoJob.newBuilder().setVideoId(id).setSourceUri(url).setLive(true)
        .setFileName(url).setSubmittedAtMs(now).setDetectSampling(policy).build();
    VideoEvent event = VideoEvent.newBuilder().setVideoId(id).setAtMs(now).setWorker("ingest")
        .setAccepted(Accepted.newBuilder().setFileName(url).setLive(true)).build();
    vertx.executeBlocking(() -> {
      var ev = producer.send(Topics.VIDEO_EVENTS.record(id, event));
      var jb = producer.send(Topics.VIDEO_JOBS.record(id, job));
      ev.get(30, TimeUnit.SECONDS);
      jb.get(30, TimeUnit.SECONDS);
      accepted.put(id, now);
      return id;
    }).onComplete(r -> {
      if (r.failed()) {
        IngestVerticle.error(ctx, 503, "could not queue the stream: " + r.cause().getMessage());
      } else {
        LOG.info("accepted stream {} ({})", id, url);
        ctx.response().setStatusCode(202).putHeader("Location", "/v1/videos/" + id);
        ctx.json(new JsonObject().put("videoId", id).put("status", "RUNNING").put("url", url)
            .put("statusUrl", "/v1/videos/" + id).put("stopUrl", "/v1/streams/" + id + "/stop"));
      }
    });
  }

  /** {@code POST /v1/streams/{id}/stop}: asks the decode worker to end the stream. */
  void stopStream(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!IngestVerticle.VIDEO_ID.matcher(id).matches()) {
      IngestVerticle.error(ctx, 400, "malformed stream id '" + id + "'");
      return;
    }
    StreamControl stop = StreamControl.newBuilder().setVideoId(id).setStop(true)
        .setAtMs(System.currentTimeMillis()).build();
    vertx.executeBlocking(() -> producer.send(Topics.VIDEO_CONTROL.record(id, stop))
        .get(30, TimeUnit.SECONDS)).onComplete(r -> {
          if (r.failed()) {
            IngestVerticle.error(ctx, 503, "could not send the stop: " + r.cause().getMessage());
          } else {
            ctx.response().setStatusCode(202);
            ctx.json(new JsonObject().put("videoId", id).put("stop", "requested"));
          }
        });
  }
}
