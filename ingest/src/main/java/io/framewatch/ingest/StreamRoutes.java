package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.proto.Accepted;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.ApiKeys.Principal;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/streams} and {@code POST /v1/streams/{id}/stop}. A stream URL must have a
 * network scheme ({@link StreamUrls}) and a host the {@link OutboundGuard} allows: loopback,
 * link-local, multicast and (unless allowed) private addresses get 400 naming the class. The
 * body's shape and ranges are checked against the OpenAPI document before this runs. Only the
 * stream's tenant may stop it; for anyone else it does not exist (404).
 */
final class StreamRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(StreamRoutes.class);

  private final Vertx vertx;
  private final Producer<byte[], byte[]> producer;
  private final OutboundGuard guard;
  private final JobPublisher jobs;
  private final Ownership owners;
  private final Quota quota;

  StreamRoutes(Vertx vertx, Producer<byte[], byte[]> producer, OutboundGuard guard,
      JobPublisher jobs, ReadView view, Quota quota) {
    this.vertx = vertx;
    this.producer = producer;
    this.guard = guard;
    this.jobs = jobs;
    this.owners = new Ownership(view, jobs);
    this.quota = quota;
  }

  /**
   * {@code POST /v1/streams} with JSON {@code {"url": ..., "fps": 2, "maxFrames": 0}}: queues a
   * live job. Only network schemes are accepted, never local paths.
   */
  void startStream(RoutingContext ctx) {
    JsonObject body = ApiRouter.body(ctx);
    String url = body.getString("url");
    String host;
    try {
      host = StreamUrls.check(url);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    Principal caller = ApiKeyAuth.principal(ctx);
    // resolving may block: off the event loop. Decode checks again, on the address it connects to.
    vertx.executeBlocking(() -> guard.check(host)).onComplete(r -> {
      if (r.failed()) {
        ApiErrors.send(ctx, r.cause() instanceof OutboundGuard.Refused ? 400 : 503,
            r.cause().getMessage());
      } else {
        queue(ctx, caller, body, url);
      }
    });
  }

  private void queue(RoutingContext ctx, Principal caller, JsonObject body, String url) {
    SamplingPolicy.Builder policy = SamplingPolicy.newBuilder();
    if (body.getValue("fps") instanceof Number fps) {
      policy.setFramesPerSecond(fps.doubleValue());
    }
    if (body.getValue("maxFrames") instanceof Number max) {
      policy.setMaxFrames(max.intValue());
    }
    String id = UUID.randomUUID().toString();
    VideoJob job = VideoJob.newBuilder().setVideoId(id).setSourceUri(url).setLive(true)
        .setFileName(url).setSubmittedAtMs(System.currentTimeMillis()).setDetectSampling(policy)
        .setTenant(caller.tenant()).build();
    vertx.executeBlocking(() -> {
      Optional<TenantLimits.Refusal> over = quota.refuse(caller, new Quota.Request(true, 0));
      if (over.isPresent()) {
        return over;
      }
      jobs.publish(job, Accepted.newBuilder().setFileName(url).setLive(true));
      return Optional.<TenantLimits.Refusal>empty();
    }).onComplete(r -> {
      if (r.failed()) {
        ApiErrors.send(ctx, 503, "could not queue the stream: " + r.cause().getMessage());
      } else if (r.result().isPresent()) {
        Quota.answer(ctx, r.result().get());
      } else {
        LOG.info("accepted stream {} of {} ({})", id, caller.tenant(), url);
        ctx.response().setStatusCode(202).putHeader("Location", "/v1/videos/" + id);
        ctx.json(new JsonObject().put("videoId", id).put("status", "RUNNING").put("url", url)
            .put("statusUrl", "/v1/videos/" + id).put("stopUrl", "/v1/streams/" + id + "/stop"));
      }
    });
  }

  /** {@code POST /v1/streams/{id}/stop}: asks the decode worker to end the caller's stream. */
  void stopStream(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (owners.refuseUnlessOwned(ctx, id, "no stream with id " + id)) {
      return;
    }
    StreamControl stop = StreamControl.newBuilder().setVideoId(id).setStop(true)
        .setAtMs(System.currentTimeMillis()).build();
    vertx.executeBlocking(() -> producer.send(Topics.VIDEO_CONTROL.record(id, stop))
        .get(30, TimeUnit.SECONDS)).onComplete(r -> {
          if (r.failed()) {
            ApiErrors.send(ctx, 503, "could not send the stop: " + r.cause().getMessage());
          } else {
            ctx.response().setStatusCode(202);
            ctx.json(new JsonObject().put("videoId", id).put("stop", "requested"));
          }
        });
  }
}
