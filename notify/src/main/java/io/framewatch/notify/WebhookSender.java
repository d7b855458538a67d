package io.framewatch.notify;

import io.framewatch.proto.Alert;
import io.framewatch.proto.WebhookSubscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.framewatch.runtime.OutboundGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alert transitions to webhook receivers: one signed POST per attempt, retried with capped
 * exponential backoff until a 2xx, the last attempt, or cancellation. Nothing blocks a thread:
 * requests are asynchronous and retries are timers, so one slow receiver holds no other's
 * delivery. Transitions of one alert reach one subscription in the order they were handed in,
 * each after the previous one ended. Once a delivery to a subscription used every attempt, the
 * subscription counts as failing and later deliveries to it get one attempt each, until one
 * succeeds: a receiver that is down costs each alert one timeout, not the whole schedule.
 */
final class WebhookSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  /** How a delivery ended. */
  enum Outcome {
    /** A 2xx answer. */
    DELIVERED,
    /** Every attempt failed: the transition goes to the dead letters. */
    FAILED,
    /** Cancelled (shutdown, partition moved) or the subscription was deleted meanwhile. */
    ABANDONED
  }

  /**
   * The end of one delivery.
   *
   * @param outcome how it ended
   * @param attempts attempts made
   * @param reason why it failed or was abandoned; empty when delivered
   */
  record Result(Outcome outcome, int attempts, String reason) {}

  /** One delivery in progress. */
  private final class Job {
    final String subscriptionId;
    final Alert alert;
    final String body;
    final BooleanSupplier cancelled;
    final CompletableFuture<Result> result = new CompletableFuture<>();

    Job(String subscriptionId, Alert alert, String body, BooleanSupplier cancelled) {
      this.subscriptionId = subscriptionId;
      this.alert = alert;
      this.body = body;
      this.cancelled = cancelled;
    }
  }

  private final HttpClient client;
  private final NotifyConfig cfg;
  private final Function<String, WebhookSubscription> subscriptions;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "framewatch-notify-retries");
    t.setDaemon(true);
    return t;
  });
  /** The last delivery handed in per subscription and alert: the next one starts after it. */
  private final Map<String, CompletableFuture<Result>> lanes = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final MeterRegistry meters;
  /** Resolves receivers' hosts for the outbound check (DNS lookups block). */
  private final java.util.concurrent.ExecutorService resolvers =
      Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "framewatch-notify-resolve");
        t.setDaemon(true);
        return t;
      });

  /**
   * @param cfg retries and timeouts
   * @param subscriptions the current subscription of an id, null once deleted (read before each
   *     attempt, so a changed or deleted subscription is honoured by retries)
   * @param meters where deliveries and attempt latencies are recorded
   */
  WebhookSender(NotifyConfig cfg, Function<String, WebhookSubscription> subscriptions,
      MeterRegistry meters) {
    this.cfg = cfg;
    this.subscriptions = subscriptions;
    this.meters = meters;
    this.client = HttpClient.newBuilder().connectTimeout(cfg.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** The idempotency key of a transition: {@code alertId/sequence}. */
  static String idempotencyKey(Alert a) {
    return a.getAlertId() + "/" + a.getSequence();
  }

  /** The {@code X-Framewatch-Event} of a transition, e.g. {@code alert.raised}. */
  static String event(Alert a) {
    return "alert." + a.getTransition().name().toLowerCase(Locale.ROOT);
  }

  /**
   * Delivers one transition to one subscription.
   *
   * @param subscriptionId the subscription
   * @param alert the transition
   * @param body its JSON, the exact bytes signed and sent
   * @param cancelled polled before every attempt: true ends the delivery ABANDONED
   * @return completes (never exceptionally) when the delivery ended
   */
  CompletableFuture<Result> deliver(String subscriptionId, Alert alert, String body,
      BooleanSupplier cancelled) {
    Job job = new Job(subscriptionId, alert, body, cancelled);
    String lane = subscriptionId + " " + alert.getAlertId();
    CompletableFuture<Result> previous = lanes.put(lane, job.result);
    job.result.whenComplete((r, e) -> {
      lanes.remove(lane, job.result);
      meters.counter("framewatch.webhook.deliveries", "outcome",
          r.outcome().name().toLowerCase(Locale.ROOT)).increment();
    });
    if (previous == null) {
      attempt(job, 1);
    } else {
      previous.whenComplete((r, e) -> attempt(job, 1));
    }
    return job.result;
  }

  private void attempt(Job job, int n) {
    WebhookSubscription sub = subscriptions.apply(job.subscriptionId);
    if (job.cancelled.getAsBoolean() || sub == null) {
      job.result.complete(new Result(Outcome.ABANDONED, n - 1,
          sub == null ? "subscription deleted" : "cancelled"));
      return;
    }
    // The receiver's host is resolved and checked before every attempt, off the caller's thread;
    // a refused address class fails the delivery at once (its dead letter names the class).
    CompletableFuture.supplyAsync(() -> cfg.guard().check(URI.create(sub.getUrl()).getHost()),
        resolvers).whenComplete((decision, error) -> {
          Throwable cause = error instanceof java.util.concurrent.CompletionException c
              ? c.getCause() : error;
          if (cause instanceof OutboundGuard.Refused refused) {
            job.result.complete(new Result(Outcome.FAILED, n, "refused " + sub.getUrl() + ": "
                + refused.getMessage()));
          } else if (cause instanceof IllegalArgumentException bad) {
            job.result.complete(new Result(Outcome.FAILED, n, "cannot send to " + sub.getUrl()
                + ": " + bad.getMessage()));
          } else if (cause != null) {
            failed(job, sub, n, describe(cause)); // e.g. the name does not resolve now
          } else {
            send(job, sub, n);
          }
        });
  }

  private void send(Job job, WebhookSubscription sub, int n) {
    long timestamp = System.currentTimeMillis() / 1000;
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(sub.getUrl()))
          .timeout(cfg.requestTimeout())
          .header("Content-Type", "application/json")
          .header("User-Agent", "framewatch-notify")
          .header("X-Framewatch-Event", event(job.alert))
          .header("X-Framewatch-Timestamp", Long.toString(timestamp))
          .header("X-Framewatch-Signature", WebhookSigner.sign(sub.getSecret(), timestamp,
              job.body))
          .header("Idempotency-Key", idempotencyKey(job.alert))
          .header("X-Framewatch-Subscription", sub.getId())
          .POST(HttpRequest.BodyPublishers.ofString(job.body, StandardCharsets.UTF_8))
          .build();
    } catch (IllegalArgumentException e) {
      // a URL or secret no attempt can fix
      job.result.complete(new Result(Outcome.FAILED, n, "cannot send to " + sub.getUrl() + ": "
          + e.getMessage()));
      return;
    }
    long t0 = System.nanoTime();
    client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete((response, error) -> {
          String result = result(response, error);
          Timer.builder("framewatch.webhook.attempt")
              .description("one webhook POST, by result (2xx, 4xx, 5xx, timeout, error)")
              .tag("result", result).publishPercentileHistogram().register(meters)
              .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
          if (result.equals("2xx")) {
            failing.remove(sub.getId());
            job.result.complete(new Result(Outcome.DELIVERED, n, ""));
          } else {
            failed(job, sub, n, response != null ? "HTTP " + response.statusCode()
                : describe(error));
          }
        });
  }

  private void failed(Job job, WebhookSubscription sub, int n, String reason) {
    boolean suspended = failing.contains(sub.getId());
    if (n < cfg.attempts() && !suspended && !job.cancelled.getAsBoolean()) {
      long waitMs = cfg.retry().backoff(n).toMillis();
      LOG.debug("webhook {} {}: attempt {} failed ({}); retry in {} ms", sub.getId(),
          idempotencyKey(job.alert), n, reason, waitMs);
      try {
        timers.schedule(() -> attempt(job, n + 1), waitMs, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        job.result.complete(new Result(Outcome.ABANDONED, n, "stopping"));
      }
      return;
    }
    if (job.cancelled.getAsBoolean()) {
      job.result.complete(new Result(Outcome.ABANDONED, n, "cancelled"));
      return;
    }
    if (n >= cfg.attempts()) {
      failing.add(sub.getId());
    }
    String why = "webhook " + sub.getId() + " (" + sub.getUrl() + "): " + n + " attempt(s) failed,"
        + " the last: " + reason + (suspended && n < cfg.attempts()
            ? "; no retries while the subscription is failing (until a delivery succeeds)" : "");
    LOG.warn("{} gave up: {}", idempotencyKey(job.alert), why);
    job.result.complete(new Result(Outcome.FAILED, n, why));
  }

  private static String result(HttpResponse<?> response, Throwable error) {
    if (response != null) {
      int s = response.statusCode();
      return s >= 200 && s < 300 ? "2xx" : s >= 400 && s < 600 ? (s / 100) + "xx" : "other";
    }
    return unwrap(error) instanceof HttpTimeoutException ? "timeout" : "error";
  }

  private String describe(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + cfg.connectTimeout().toMillis() + " ms";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + cfg.requestTimeout().toMillis() + " ms";
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Stops the retry timers; requests in flight end within the request timeout. */
  @Override
  public void close() {
    timers.shutdownNow();
    resolvers.shutdownNow();
  }
}
