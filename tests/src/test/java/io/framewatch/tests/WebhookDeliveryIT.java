package io.framewatch.tests;

import io.framewatch.runtime.Settings;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.EmbeddedKafka;
import io.framewatch.ingest.IngestApp;
import io.framewatch.ingest.IngestConfig;
import io.framewatch.notify.NotifyApp;
import io.framewatch.notify.NotifyConfig;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.DeadLetters;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.TopicCatalog;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook delivery on real parts: a fresh in-process broker per test, the notify stage, alert
 * transitions produced straight to {@code alerts}, and real HTTP receivers that verify every
 * signature ({@link WebhookReceiver}).
 */
class WebhookDeliveryIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private EmbeddedKafka kafka;
  private final String group = "it-notify-" + UUID.randomUUID();

  @BeforeEach
  void startBroker() throws Exception {
    kafka = EmbeddedKafka.start(0);
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      TopicCatalog.ensure(admin, (short) 1);
    }
  }

  @AfterEach
  void stopBroker() {
    kafka.close();
  }

  private NotifyApp notify(String webhooks, int attempts) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("FRAMEWATCH_NOTIFY_GROUP", group);
    env.put("FRAMEWATCH_WEBHOOK_ATTEMPTS", Integer.toString(attempts));
    env.put("FRAMEWATCH_WEBHOOK_BACKOFF_MS", "100");
    env.put("FRAMEWATCH_WEBHOOK_ALLOW", "127.0.0.0/8"); // the receivers run on loopback
    env.put("FRAMEWATCH_WEBHOOK_BACKOFF_MAX_MS", "400");
    if (webhooks != null) {
      env.put("FRAMEWATCH_WEBHOOKS", webhooks);
    }
    NotifyApp app = new NotifyApp(NotifyConfig.fromEnv(env, kafka.settings()),
        StageContext.local());
    app.start();
    await().atMost(WAIT).until(() -> app.health().ready());
    return app;
  }

  private static Alert transition(String video, int n, int sequence, AlertTransition t) {
    return Alert.newBuilder().setVideoId(video).setAlertId(video + "#" + n).setSequence(sequence)
        .setTransition(t).setSource("live").setScore(0.9).setModel("caddm-demo")
        .setAtMs(System.currentTimeMillis()).build();
  }

  private void produce(Alert... alerts) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      for (Alert a : alerts) {
        p.send(Topics.ALERTS.record(a.getVideoId(), a)).get();
      }
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(kafka.settings().producer("it-alerts", false),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Writes a tenant's subscription to {@code webhooks}, as the API does for a tenant's key. */
  private void subscribe(String tenant, WebhookReceiver receiver, String secret)
      throws Exception {
    WebhookSubscription s = WebhookSubscription.newBuilder().setId("sub-" + tenant)
        .setUrl(receiver.url()).setSecret(secret).setTenant(tenant)
        .setCreatedMs(System.currentTimeMillis()).build();
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      p.send(Topics.WEBHOOKS.record(s.getId(), s)).get();
    }
  }

  private static Alert owned(Alert a, String tenant) {
    return a.toBuilder().setTenant(tenant).build();
  }

  /** True once the group committed every alert written so far. */
  private boolean allCommitted() throws Exception {
    try (Admin admin = Admin.create(kafka.settings().admin())) {
      Map<TopicPartition, OffsetAndMetadata> done = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      for (int p = 0; p < Topics.ALERTS.partitions(); p++) {
        ask.put(new TopicPartition(Topics.ALERTS.name(), p), OffsetSpec.latest());
      }
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
          : admin.listOffsets(ask).all().get().entrySet()) {
        OffsetAndMetadata c = done.get(e.getKey());
        if (e.getValue().offset() > (c == null ? 0 : c.offset())) {
          return false;
        }
      }
      return true;
    }
  }

  private static String keys(WebhookReceiver r) {
    return r.calls().stream().map(c -> c.key() + "=" + c.status()).toList().toString();
  }

  @Test
  void shouldDeliverEachTransitionOnceToAReceiverThatFailsItsFirstThreeCallsAndNotAgainAfterARestart()
      throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start("s3cret-for-the-test", 3)) {
      String configured = receiver.url() + "#s3cret-for-the-test";
      NotifyApp first = notify(configured, 8);
      try {
        produce(transition("v1", 1, 0, AlertTransition.RAISED),
            transition("v1", 1, 1, AlertTransition.UPDATED),
            transition("v2", 1, 0, AlertTransition.RAISED),
            transition("v1", 1, 2, AlertTransition.CLEARED),
            transition("v2", 1, 1, AlertTransition.CLEARED));
        await().atMost(WAIT).until(() -> receiver.accepted().size() == 5);
        await().atMost(WAIT).until(this::allCommitted);
      } finally {
        first.close();
      }
      assertEquals(Set.of("v1#1/0", "v1#1/1", "v1#1/2", "v2#1/0", "v2#1/1"),
          Set.copyOf(receiver.accepted()));
      assertEquals(3, receiver.calls().stream().filter(c -> c.status() == 500).count());
      assertEquals(8, receiver.calls().size(), keys(receiver));
      assertEquals("alert.cleared", receiver.calls().stream()
          .filter(c -> "v2#1/1".equals(c.key())).findFirst().orElseThrow().event());

      // a new instance of the stage in the same group: only the new transition is sent
      try (NotifyApp second = notify(configured, 8)) {
        produce(transition("v3", 1, 0, AlertTransition.RAISED));
        await().atMost(WAIT).until(() -> receiver.accepted().contains("v3#1/0"));
      }
      assertEquals(9, receiver.calls().size(), "nothing delivered twice: " + keys(receiver));
      assertEquals(0, receiver.repeats());
      assertEquals(0, receiver.badSignatures(), "every call is correctly signed");
      JsonObject body = new JsonObject(receiver.calls().get(8).body());
      assertEquals("v3#1", body.getString("alertId"));
      assertEquals("RAISED", body.getString("transition"));
    }
  }

  @Test
  void shouldSendATransitionCutShortByAStopAgainFromTheNextInstance() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start("k", 0)) {
      receiver.failAll(true);
      String configured = receiver.url() + "#k";
      try (NotifyApp first = notify(configured, 50)) {
        produce(transition("v4", 1, 0, AlertTransition.RAISED));
        await().atMost(WAIT).until(() -> receiver.calls().size() >= 2);
      } // stopped while retrying: the transition stays uncommitted
      assertTrue(receiver.accepted().isEmpty());
      receiver.failAll(false);
      try (NotifyApp second = notify(configured, 50)) {
        await().atMost(WAIT).until(() -> receiver.accepted().contains("v4#1/0"));
        await().atMost(WAIT).until(this::allCommitted);
      }
      assertEquals(0, receiver.badSignatures());
    }
  }

  @Test
  void shouldDeliverToSubscriptionsMadeThroughTheApiUntilTheyAreDeleted(@TempDir Path media)
      throws Exception {
    ApiKeys.Created mine = ApiKeys.create("desk", false);
    ApiKeys.Created theirs = ApiKeys.create("elsewhere", false);
    IngestApp ingest = new IngestApp(IngestConfig.fromEnv(Map.of(
        Settings.HTTP_HOST.env(), "127.0.0.1", Settings.HTTP_PORT.env(), "0",
        Settings.MEDIA_DIR.env(), media.toString(),
        Settings.WEBHOOK_ALLOW.env(), "127.0.0.0/8", // the receivers run on loopback
        Settings.API_KEYS.env(), mine.entry() + "," + theirs.entry()), kafka.settings()),
        StageContext.local());
    String key = mine.key();
    HttpClient http = HttpClient.newHttpClient();
    try (ingest; WebhookReceiver kept = WebhookReceiver.start(null, 0);
        WebhookReceiver dropped = WebhookReceiver.start("given-secret", 0);
        NotifyApp notify = notify(null, 3)) {
      ingest.start();
      String api = "http://127.0.0.1:" + ingest.port() + "/v1/webhooks";
      HttpResponse<String> bad = post(http, api, key, new JsonObject().put("url", "hooks/fw"));
      assertEquals(400, bad.statusCode());
      assertEquals("'url' must be an absolute http or https URL, got 'hooks/fw'",
          new JsonObject(bad.body()).getString("error"));

      HttpResponse<String> created = post(http, api, key, new JsonObject().put("url", kept.url())
          .put("description", "moderation desk"));
      assertEquals(201, created.statusCode(), created.body());
      JsonObject keptSub = new JsonObject(created.body());
      assertTrue(keptSub.getString("secret").matches("[0-9a-f]{64}"), created.body());
      kept.secret(keptSub.getString("secret"));
      JsonObject droppedSub = new JsonObject(post(http, api, key, new JsonObject()
          .put("url", dropped.url()).put("secret", "given-secret")).body());

      JsonObject listed = new JsonObject(http.send(authorised(api, key).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertEquals(2, listed.getJsonArray("webhooks").size(), listed.encode());
      assertEquals("moderation desk", listed.getJsonArray("webhooks").getJsonObject(0)
          .getString("description"));
      assertFalse(listed.encode().contains("secret"), "secrets are shown only at creation");

      produce(owned(transition("v1", 1, 0, AlertTransition.RAISED), "desk"));
      await().atMost(WAIT).until(() -> kept.accepted().contains("v1#1/0")
          && dropped.accepted().contains("v1#1/0"));
      assertEquals(keptSub.getString("id"), kept.calls().get(0).subscription());

      // another tenant neither sees nor deletes them
      String gone = api + "/" + droppedSub.getString("id");
      JsonObject theirList = new JsonObject(http.send(authorised(api, theirs.key()).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertTrue(theirList.getJsonArray("webhooks").isEmpty(), theirList.encode());
      HttpResponse<String> foreign = http.send(authorised(gone, theirs.key()).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> unknown = http.send(authorised(api + "/no-such-hook", theirs.key())
          .DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, foreign.statusCode(), foreign.body());
      assertEquals(unknown.body().replace("no-such-hook", droppedSub.getString("id")),
          foreign.body());
      assertEquals(204, http.send(authorised(gone, key).DELETE().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(404, http.send(authorised(gone, key).DELETE().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      produce(owned(transition("v1", 1, 1, AlertTransition.CLEARED), "desk"));
      await().atMost(WAIT).until(() -> kept.accepted().contains("v1#1/1"));
      assertEquals(List.of("v1#1/0"), dropped.accepted(), "a deleted subscription gets no more");
      assertEquals(0, kept.badSignatures() + dropped.badSignatures());
    }
  }

  private static HttpRequest.Builder authorised(String url, String key) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key);
  }

  private static HttpResponse<String> post(HttpClient http, String url, String key,
      JsonObject body) throws Exception {
    return http.send(authorised(url, key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldSendATenantsWebhookOnlyThatTenantsAlertsAndTheOperatorsWebhookEveryAlert()
      throws Exception {
    try (WebhookReceiver acme = WebhookReceiver.start("acme-secret", 0);
        WebhookReceiver zeta = WebhookReceiver.start("zeta-secret", 0);
        WebhookReceiver operator = WebhookReceiver.start("ops-secret", 0)) {
      subscribe("acme", acme, "acme-secret");
      subscribe("zeta", zeta, "zeta-secret");
      try (NotifyApp notify = notify(operator.url() + "#ops-secret", 3)) {
        produce(owned(transition("a1", 1, 0, AlertTransition.RAISED), "acme"),
            owned(transition("z1", 1, 0, AlertTransition.RAISED), "zeta"),
            owned(transition("a1", 1, 1, AlertTransition.CLEARED), "acme"),
            owned(transition("z2", 1, 0, AlertTransition.RAISED), "zeta"),
            transition("n1", 1, 0, AlertTransition.RAISED)); // accepted before keys: no tenant
        await().atMost(WAIT).until(() -> operator.accepted().size() == 5);
        // committed only once every subscription's delivery ended: nothing is still on its way
        await().atMost(WAIT).until(this::allCommitted);
      }
      assertEquals(List.of("a1#1/0", "a1#1/1"), acme.accepted(), keys(acme));
      assertEquals(Set.of("z1#1/0", "z2#1/0"), Set.copyOf(zeta.accepted()), keys(zeta));
      assertEquals(2, acme.calls().size(), "acme was called for its own alerts only: "
          + keys(acme));
      assertEquals(2, zeta.calls().size(), keys(zeta));
      assertEquals(Set.of("a1#1/0", "a1#1/1", "z1#1/0", "z2#1/0", "n1#1/0"),
          Set.copyOf(operator.accepted()), "FRAMEWATCH_WEBHOOKS belongs to the operator");
      for (WebhookReceiver.Call c : acme.calls()) {
        assertEquals("acme", new JsonObject(c.body()).getString("tenant"), c.body());
        assertEquals("sub-acme", c.subscription());
      }
      assertEquals(0, acme.badSignatures() + zeta.badSignatures() + operator.badSignatures());
    }
  }

  @Test
  void shouldDeadLetterWhatAReceiverNeverAcceptsWithTheReasonWhileOthersGetIt() throws Exception {
    try (WebhookReceiver down = WebhookReceiver.start("k1", 0);
        WebhookReceiver up = WebhookReceiver.start("k2", 0)) {
      down.failAll(true);
      try (NotifyApp notify = notify(down.url() + "#k1 " + up.url() + "#k2", 3)) {
        produce(transition("v9", 1, 0, AlertTransition.RAISED));
        await().atMost(WAIT).until(() -> up.accepted().contains("v9#1/0"));
        ConsumerRecord<byte[], byte[]> dead = await().atMost(WAIT)
            .until(this::notifyDeadLetter, r -> r != null);
        String reason = header(dead, DeadLetters.REASON);
        assertTrue(reason.startsWith("webhook " + header(dead, NotifyApp.SUBSCRIPTION_HEADER)
            + " (" + down.url() + "): 3 attempt(s) failed, the last: HTTP 500"), reason);
        assertEquals("v9", new String(dead.key(), StandardCharsets.UTF_8));
        assertEquals("v9#1", Topics.ALERTS.value(dead.value()).getAlertId());
        assertTrue(header(dead, DeadLetters.ORIGIN).startsWith("alerts-"));
        assertEquals(3, down.calls().size());
        await().atMost(WAIT).until(this::allCommitted);
      }
    }
  }

  private ConsumerRecord<byte[], byte[]> notifyDeadLetter() {
    return Records.raw(kafka.settings(), Topics.DEAD_LETTERS.name()).stream()
        .filter(r -> "notify".equals(header(r, DeadLetters.STAGE))).findFirst().orElse(null);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return Records.header(r, name);
  }

}
