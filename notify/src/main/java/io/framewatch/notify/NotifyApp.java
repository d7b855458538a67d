package io.framewatch.notify;

import io.framewatch.proto.Alert;
import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.CancelledWork;
import io.framewatch.runtime.CompactedView;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.DeadLetters;
import io.framewatch.runtime.FailurePolicy;
import io.framewatch.runtime.Health;
import io.framewatch.runtime.Input;
import io.framewatch.runtime.LoopOptions;
import io.framewatch.runtime.Output;
import io.framewatch.runtime.Retry;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.WorkerStage;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.ProtoJson;
import io.framewatch.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notify stage: consumes {@code alerts} and POSTs each transition to every subscription, those
 * of the compacted {@code webhooks} topic (read whole at start, then followed) and those of
 * {@code FRAMEWATCH_WEBHOOKS}. Delivery state lives in Kafka: a transition's offset is committed
 * only once every subscription answered 2xx or its dead letter (stage {@code notify}, the reason
 * and the subscription in headers) was acknowledged, so a restarted or replacement process sends
 * again only what was unfinished, with the same {@code Idempotency-Key}.
 *
 * <p>A subscription made with a tenant's API key receives only that tenant's alerts; those of
 * {@code FRAMEWATCH_WEBHOOKS} belong to the operator and receive every tenant's ({@link
 * #receives}).
 *
 * <p>Transitions are handled on a pool of {@code FRAMEWATCH_NOTIFY_IN_FLIGHT} threads that wait
 * for their deliveries while the consumer keeps polling; beyond that many the partitions pause.
 */
public final class NotifyApp extends WorkerStage {
  private static final Logger LOG = LoggerFactory.getLogger(NotifyApp.class);
  /** Dead-letter header naming the subscription a transition could not be delivered to. */
  public static final String SUBSCRIPTION_HEADER = "fw.webhook.subscription";
  private static final Duration FRESH = Duration.ofSeconds(5);

  private final NotifyConfig cfg;
  private final StageContext ctx;
  private final String workerName;
  private final AtomicBoolean viewDeathReported = new AtomicBoolean();
  /** Per alert id, the transition last handed to the sender (or being handed). */
  private final Map<String, CompletableFuture<Void>> handovers = new ConcurrentHashMap<>();
  private volatile CompactedView<String, WebhookSubscription> view;
  private volatile WebhookSender sender;

  /**
   * @param cfg stage settings
   * @param ctx the process's meters and worker-death policy
   */
  public NotifyApp(NotifyConfig cfg, StageContext ctx) {
    this.cfg = cfg;
    this.ctx = ctx;
    this.workerName = ctx.host() + "/notify-" + ProcessHandle.current().pid() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  @Override
  public String name() {
    return "notify";
  }

  /**
   * Reads the webhooks topic to its end, then starts the alerts consumer.
   *
   * @throws TimeoutException when the webhooks topic cannot be read within 30 s
   */
  @Override
  protected Workers startWorkers() throws Exception {
    view = CompactedView.start(Topics.WEBHOOKS, cfg.kafka(), workerName + "-webhooks");
    int subscribed = view.fresh(Duration.ofSeconds(30)).size();
    LOG.info("notify: {} subscription(s) from {}, {} configured", subscribed,
        Topics.WEBHOOKS.name(), cfg.configured().size());
    sender = new WebhookSender(cfg, this::subscription, ctx.meters());
    Map<String, Object> consumer = cfg.kafka().consumer(cfg.group(), workerName, false);
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, cfg.inFlight());
    LoopOptions options = new LoopOptions("notify", workerName, consumer,
        cfg.kafka().producer(workerName, false), FailurePolicy.DEAD_LETTER, cfg.inFlight(), 0,
        Retry.DEFAULT, ctx.meters(), null);
    return new Workers("notify", 1,
        i -> new ConsumerLoop<>(Topics.ALERTS, this::handle, options, null), ctx.onWorkerDeath());
  }

  /** The subscription with this id as it is now; null once deleted. */
  private WebhookSubscription subscription(String id) {
    for (WebhookSubscription s : cfg.configured()) {
      if (s.getId().equals(id)) {
        return s;
      }
    }
    return view.get(id);
  }

  /**
   * Every subscription, including those whose write was acknowledged before now; the view as it
   * is if the broker does not answer in time.
   */
  private List<WebhookSubscription> subscriptions() throws InterruptedException {
    Map<String, WebhookSubscription> all = new LinkedHashMap<>();
    cfg.configured().forEach(s -> all.put(s.getId(), s));
    try {
      all.putAll(view.fresh(FRESH));
    } catch (TimeoutException e) {
      LOG.warn("notify: {}; delivering to the subscriptions known so far", e.getMessage());
      all.putAll(view.current());
    } catch (IllegalStateException e) {
      // without the subscriptions nothing can be delivered: stop committing and say so
      if (viewDeathReported.compareAndSet(false, true)) {
        ctx.onWorkerDeath().run();
      }
      throw new CancelledWork("the webhooks view stopped (" + e.getMessage()
          + "); alerts stay uncommitted");
    }
    return new ArrayList<>(all.values());
  }

  /**
   * Whether {@code s} is sent {@code alert}: a subscription without a tenant (the operator's, from
   * {@code FRAMEWATCH_WEBHOOKS}) every alert, a tenant's subscription only the alerts of videos
   * that tenant owns. An alert without a tenant (a video accepted before keys existed) goes to
   * the operator's subscriptions only.
   */
  static boolean receives(WebhookSubscription s, Alert alert) {
    return s.getTenant().isEmpty() || s.getTenant().equals(alert.getTenant());
  }

  /**
   * Delivers one transition to every subscription that receives it and dead-letters what was
   * never accepted.
   */
  private void handle(Input<String, Alert> in, Output out) throws Exception {
    Alert alert = in.value();
    if (alert.getAlertId().isEmpty()) {
      throw new IllegalArgumentException("alert without alert_id: no idempotency key");
    }
    // Transitions of one alert are on one partition, handed to the pool in offset order; each
    // hands its deliveries to the sender only after the previous one did, so that the sender's
    // per-subscription lanes see them in that order.
    CompletableFuture<Void> handedOver = new CompletableFuture<>();
    CompletableFuture<Void> previous = handovers.put(alert.getAlertId(), handedOver);
    List<WebhookSubscription> subs;
    List<CompletableFuture<WebhookSender.Result>> results = new ArrayList<>();
    try {
      if (previous != null) {
        await(previous, in, alert);
      }
      subs = subscriptions().stream().filter(s -> receives(s, alert)).toList();
      String body = ProtoJson.print(alert);
      for (WebhookSubscription s : subs) {
        results.add(sender.deliver(s.getId(), alert, body, in::cancelled));
      }
    } finally {
      handedOver.complete(null);
      handovers.remove(alert.getAlertId(), handedOver);
    }
    await(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)), in, alert);
    for (int i = 0; i < subs.size(); i++) {
      WebhookSender.Result r = results.get(i).join();
      if (r.outcome() == WebhookSender.Outcome.FAILED) {
        ProducerRecord<byte[], byte[]> dead = DeadLetters.of(Topics.ALERTS, in, name(), r.reason());
        dead.headers().add(SUBSCRIPTION_HEADER, subs.get(i).getId()
            .getBytes(StandardCharsets.UTF_8));
        out.send(dead);
      } else if (r.outcome() == WebhookSender.Outcome.ABANDONED && in.cancelled()) {
        throw new CancelledWork(WebhookSender.idempotencyKey(alert) + " cut short");
      }
    }
  }

  /** Waits for {@code f}, giving up (uncommitted) when the work is cancelled. */
  private static void await(CompletableFuture<?> f, Input<?, ?> in, Alert alert)
      throws InterruptedException, ExecutionException {
    while (!f.isDone()) {
      if (in.cancelled()) {
        throw new CancelledWork(WebhookSender.idempotencyKey(alert) + " cut short");
      }
      try {
        f.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // not yet: look at cancellation again
      }
    }
  }

  @Override
  public Health health() {
    CompactedView<String, WebhookSubscription> v = view;
    Health viewHealth = v == null ? new Health(true, false, Map.of("notify-webhooks", "starting"))
        : new Health(v.running(), v.running(), Map.of("notify-webhooks",
            v.running() ? "following" : "stopped"));
    return super.health().and(viewHealth);
  }

  @Override
  protected void closeResources() {
    if (sender != null) {
      sender.close();
    }
    if (view != null) {
      view.close();
    }
  }
}
