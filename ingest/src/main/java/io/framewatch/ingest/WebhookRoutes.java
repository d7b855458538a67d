package io.framewatch.ingest;

import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.CompactedView;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/webhooks} (subscribe: 201 with the secret, shown only then),
 * {@code GET /v1/webhooks} (the caller's subscriptions, without secrets) and
 * {@code DELETE /v1/webhooks/{id}} (204, or 404). Subscriptions live only in the compacted
 * {@code webhooks} topic: a write is answered once the broker acknowledged it, and reads wait
 * until this replica's view has read the topic to its end, so any replica answers for a
 * subscription made through any other. The notify stage delivers to them.
 */
final class WebhookRoutes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRoutes.class);
  private static final Duration FRESH = Duration.ofSeconds(5);
  private static final int MAX_SECRET = 512;
  private static final int MAX_DESCRIPTION = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Producer<byte[], byte[]> producer;
  private final KafkaSettings kafka;
  private CompactedView<String, WebhookSubscription> view;
  private boolean closed;

  /** Follows the webhooks topic from the first request that reads it on. */
  /** Which receivers may be subscribed ({@link io.framewatch.runtime.Settings#WEBHOOK_ALLOW}). */
  private final OutboundGuard guard;

  WebhookRoutes(Vertx vertx, Producer<byte[], byte[]> producer, KafkaSettings kafka,
      OutboundGuard guard) {
    this.guard = guard;
    this.vertx = vertx;
    this.producer = producer;
    this.kafka = kafka;
  }

  /** The subscriptions once read to the end of the topic; call on the worker pool. */
  private Map<String, WebhookSubscription> fresh() throws Exception {
    CompactedView<String, WebhookSubscription> v;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the API is stopping");
      }
      if (view == null) {
        view = CompactedView.start(Topics.WEBHOOKS, kafka, "ingest-webhooks-" + UUID.randomUUID());
      }
      v = view;
    }
    return v.fresh(FRESH);
  }

  /** {@code POST /v1/webhooks}: a subscription of the caller's tenant. */
  void create(RoutingContext ctx) {
    JsonObject body = ApiRouter.body(ctx);
    WebhookSubscription sub;
    try {
      sub = subscription(body, ApiKeyAuth.principal(ctx).tenant());
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> {
      // the receiver must be an address notify may reach (it checks again before every attempt)
      guard.check(java.net.URI.create(sub.getUrl()).getHost());
      return producer.send(Topics.WEBHOOKS.record(sub.getId(), sub)).get(30, TimeUnit.SECONDS);
    }).onComplete(r -> {
          if (r.failed() && r.cause() instanceof OutboundGuard.Refused refused) {
            ApiErrors.send(ctx, 400, "'url': " + refused.getMessage());
            return;
          }
          if (r.failed()) {
            ApiErrors.send(ctx, 503, "could not store the subscription: "
                + r.cause().getMessage());
            return;
          }
          LOG.info("webhook {} subscribed: {}", sub.getId(), sub.getUrl());
          ctx.response().setStatusCode(201).putHeader("Location", "/v1/webhooks/" + sub.getId());
          ctx.json(json(sub).put("secret", sub.getSecret()));
        });
  }

  /**
   * The subscription a POST body asks for: an absolute http(s) URL, the caller's secret or 32
   * random bytes in hex, an optional description; it belongs to {@code tenant}.
   *
   * @throws IllegalArgumentException with the reason for a 400
   */
  static WebhookSubscription subscription(JsonObject body, String tenant) {
    if (!(body.getValue("url") instanceof String url) || url.isBlank()) {
      throw new IllegalArgumentException("missing 'url'");
    }
    checkUrl(url);
    Object secret = body.getValue("secret");
    if (secret != null && (!(secret instanceof String s) || s.isBlank()
        || s.length() > MAX_SECRET)) {
      throw new IllegalArgumentException("'secret' must be a non-blank string of at most "
          + MAX_SECRET + " characters (or absent: one is generated)");
    }
    Object description = body.getValue("description");
    if (description != null && (!(description instanceof String d)
        || d.length() > MAX_DESCRIPTION)) {
      throw new IllegalArgumentException("'description' must be a string of at most "
          + MAX_DESCRIPTION + " characters");
    }
    byte[] generated = new byte[32];
    RANDOM.nextBytes(generated);
    return WebhookSubscription.newBuilder().setId(UUID.randomUUID().toString()).setUrl(url)
        .setSecret(secret == null ? HexFormat.of().formatHex(generated) : (String) secret)
        .setDescription(description == null ? "" : (String) description)
        .setCreatedMs(System.currentTimeMillis()).setTenant(tenant).build();
  }

  /** Only absolute http and https URLs with a host: the notify stage POSTs to them. */
  static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'url' is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException("'url' must be an absolute http or https URL, got '"
          + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("'url' has no host: '" + url + "'");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("'url' must not have a #fragment (it is never sent)");
    }
  }

  /** {@code GET /v1/webhooks}: the caller's subscriptions. */
  void list(RoutingContext ctx) {
    String tenant = ApiKeyAuth.principal(ctx).tenant();
    vertx.executeBlocking(this::fresh).onComplete(r -> {
      if (r.failed()) {
        unavailable(ctx, r.cause());
        return;
      }
      JsonArray out = new JsonArray();
      r.result().values().stream().filter(s -> s.getTenant().equals(tenant))
          .sorted(Comparator.comparingLong(WebhookSubscription::getCreatedMs)
              .thenComparing(WebhookSubscription::getId))
          .forEach(s -> out.add(json(s)));
      ctx.json(new JsonObject().put("webhooks", out));
    });
  }

  /** {@code DELETE /v1/webhooks/{id}}: another tenant's subscription is 404 as an unknown one. */
  void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String tenant = ApiKeyAuth.principal(ctx).tenant();
    vertx.executeBlocking(() -> {
      WebhookSubscription sub = fresh().get(id);
      if (sub == null || !sub.getTenant().equals(tenant)) {
        return false;
      }
      ProducerRecord<byte[], byte[]> tombstone = new ProducerRecord<>(Topics.WEBHOOKS.name(),
          Topics.WEBHOOKS.keySerde().serializer().serialize(Topics.WEBHOOKS.name(), id), null);
      producer.send(tombstone).get(30, TimeUnit.SECONDS);
      return true;
    }).onComplete(r -> {
      if (r.failed()) {
        unavailable(ctx, r.cause());
      } else if (!r.result()) {
        ApiErrors.send(ctx, 404, "no webhook with id " + id);
      } else {
        LOG.info("webhook {} deleted", id);
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static void unavailable(RoutingContext ctx, Throwable cause) {
    ctx.response().putHeader("Retry-After", "1");
    ApiErrors.send(ctx, 503, (cause instanceof TimeoutException ? "" : "webhooks: ")
        + cause.getMessage());
  }

  private static JsonObject json(WebhookSubscription s) {
    return new JsonObject().put("id", s.getId()).put("url", s.getUrl())
        .put("description", s.getDescription()).put("createdMs", s.getCreatedMs());
  }

  /** Stops following the topic. */
  @Override
  public synchronized void close() {
    closed = true;
    if (view != null) {
      view.close();
    }
  }
}
