package io.framewatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Retry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery against a real HTTP server on a free loopback port: retries, the reason a delivery
 * failed, timeouts, order within an alert, and one attempt each for a failing subscription.
 */
class WebhookSenderTest {
  private static final String SECRET = "0123456789abcdef";
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String[]> calls = new CopyOnWriteArrayList<>(); // key, signature ok, status
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private WebhookSender sender;

  /** Starts a receiver answering call n (1-based) with {@code status.applyAsInt(n)}; 0 hangs. */
  private WebhookSubscription receiver(IntUnaryOperator status) throws IOException {
    AtomicInteger n = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/hook", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String ts = ex.getRequestHeaders().getFirst("X-Framewatch-Timestamp");
      boolean signed = WebhookSigner.sign(SECRET, Long.parseLong(ts), body)
          .equals(ex.getRequestHeaders().getFirst("X-Framewatch-Signature"));
      int code = status.applyAsInt(n.incrementAndGet());
      if (code == 0) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        code = 500;
      }
      calls.add(new String[] {ex.getRequestHeaders().getFirst("Idempotency-Key"),
          Boolean.toString(signed), Integer.toString(code)});
      ex.sendResponseHeaders(code, -1);
      ex.close();
    });
    server.start();
    return WebhookSubscription.newBuilder().setId("s1").setSecret(SECRET)
        .setUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/hook").build();
  }

  private WebhookSender sender(WebhookSubscription sub, int attempts, Duration timeout) {
    return sender(sub, attempts, timeout, OutboundGuard.of("127.0.0.0/8"));
  }

  private WebhookSender sender(WebhookSubscription sub, int attempts, Duration timeout,
      OutboundGuard guard) {
    NotifyConfig cfg = new NotifyConfig(new KafkaSettings("127.0.0.1:9"), "g", List.of(),
        new Retry(attempts - 1, Duration.ofMillis(20), Duration.ofMillis(80)),
        Duration.ofSeconds(2), timeout, 4, guard);
    sender = new WebhookSender(cfg, Map.of(sub.getId(), sub)::get, meters);
    return sender;
  }

  private static Alert alert(int sequence) {
    return Alert.newBuilder().setVideoId("v").setAlertId("v#1").setSequence(sequence)
        .setTransition(sequence == 0 ? AlertTransition.RAISED : AlertTransition.UPDATED).build();
  }

  private WebhookSender.Result send(WebhookSubscription sub, Alert a) throws Exception {
    return sender.deliver(sub.getId(), a, "{\"seq\":" + a.getSequence() + "}", () -> false)
        .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (sender != null) {
      sender.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void shouldFailAtOnceWithoutConnectingWhenTheReceiverIsARefusedAddress() throws Exception {
    WebhookSubscription local = receiver(n -> 204);
    WebhookSubscription metadata = local.toBuilder().setId("s2")
        .setUrl("http://169.254.169.254/latest/meta-data/").build();
    // loopback is not allowed by default: the test's own receiver is refused too
    for (WebhookSubscription sub : List.of(local, metadata)) {
      WebhookSender.Result r = sender(sub, 8, Duration.ofSeconds(2), OutboundGuard.of(null))
          .deliver(sub.getId(), alert(0), "{}", () -> false).get(30, TimeUnit.SECONDS);
      assertEquals(WebhookSender.Outcome.FAILED, r.outcome());
      assertEquals(1, r.attempts(), "a refusal is not retried");
      assertTrue(r.reason().contains(sub.getUrl().startsWith("http://127.") ? "loopback"
          : "link-local"), r.reason());
      sender.close();
    }
    assertEquals(0, calls.size(), "nothing was sent");
  }

  @Test
  void shouldRetryASignedDeliveryWithTheSameKeyUntilTheReceiverAnswers2xx() throws Exception {
    WebhookSubscription sub = receiver(n -> n <= 3 ? 500 : 204);
    WebhookSender.Result r = sender(sub, 8, Duration.ofSeconds(2)).deliver(sub.getId(), alert(0),
        "{}", () -> false).get(30, TimeUnit.SECONDS);
    assertEquals(WebhookSender.Outcome.DELIVERED, r.outcome());
    assertEquals(4, r.attempts());
    assertEquals(4, calls.size());
    for (String[] c : calls) {
      assertEquals("v#1/0", c[0]);
      assertEquals("true", c[1], "every attempt is signed");
    }
    assertEquals(1, meters.counter("framewatch.webhook.deliveries", "outcome", "delivered")
        .count());
    assertEquals(3, meters.timer("framewatch.webhook.attempt", "result", "5xx").count());
  }

  @Test
  void shouldFailWithTheLastAnswerAfterTheLastAttemptThenTryAFailingSubscriptionOnce()
      throws Exception {
    AtomicInteger healthyFrom = new AtomicInteger(Integer.MAX_VALUE);
    WebhookSubscription sub = receiver(n -> n >= healthyFrom.get() ? 200 : 503);
    sender(sub, 3, Duration.ofSeconds(2));
    WebhookSender.Result first = send(sub, alert(0));
    assertEquals(WebhookSender.Outcome.FAILED, first.outcome());
    assertEquals(3, first.attempts());
    assertTrue(first.reason().startsWith("webhook s1 (" + sub.getUrl() + "): 3 attempt(s) failed,"
        + " the last: HTTP 503"), first.reason());
    WebhookSender.Result second = send(sub, alert(1));
    assertEquals(1, second.attempts(), "no retries while the subscription is failing");
    assertTrue(second.reason().contains("no retries while the subscription is failing"),
        second.reason());
    healthyFrom.set(calls.size() + 1);
    assertEquals(WebhookSender.Outcome.DELIVERED, send(sub, alert(2)).outcome());
    healthyFrom.set(Integer.MAX_VALUE);
    assertEquals(3, send(sub, alert(3)).attempts(),
        "a 2xx ended the failing state: the next delivery gets every attempt again");
  }

  @Test
  void shouldCountAReceiverThatDoesNotAnswerInTimeAsAFailedAttempt() throws Exception {
    WebhookSubscription sub = receiver(n -> 0);
    sender(sub, 1, Duration.ofMillis(300));
    WebhookSender.Result r = send(sub, alert(0));
    assertEquals(WebhookSender.Outcome.FAILED, r.outcome());
    assertTrue(r.reason().endsWith("the last: no answer within 300 ms"), r.reason());
    assertEquals(1, meters.timer("framewatch.webhook.attempt", "result", "timeout").count());
  }

  @Test
  void shouldStartAnAlertsNextTransitionOnlyAfterThePreviousOneEnded() throws Exception {
    WebhookSubscription sub = receiver(n -> n <= 2 ? 500 : 200);
    sender(sub, 8, Duration.ofSeconds(2));
    var raised = sender.deliver(sub.getId(), alert(0), "{}", () -> false);
    var updated = sender.deliver(sub.getId(), alert(1), "{}", () -> false);
    assertEquals(WebhookSender.Outcome.DELIVERED, updated.get(30, TimeUnit.SECONDS).outcome());
    assertEquals(3, raised.get().attempts());
    assertEquals(List.of("v#1/0", "v#1/0", "v#1/0", "v#1/1"),
        calls.stream().map(c -> c[0]).toList());
  }

  @Test
  void shouldAbandonADeliveryWhoseWorkWasCancelledWithoutAnotherAttempt() throws Exception {
    WebhookSubscription sub = receiver(n -> 500);
    sender(sub, 8, Duration.ofSeconds(2));
    AtomicInteger attempts = new AtomicInteger();
    WebhookSender.Result r = sender.deliver(sub.getId(), alert(0), "{}",
        () -> attempts.incrementAndGet() > 2).get(30, TimeUnit.SECONDS);
    assertEquals(WebhookSender.Outcome.ABANDONED, r.outcome());
    assertTrue(calls.size() < 8, "stopped before the schedule ran out: " + calls.size());
  }
}
