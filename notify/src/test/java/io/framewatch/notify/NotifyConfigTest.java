package io.framewatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifyConfigTest {
  private static final KafkaSettings KAFKA = new KafkaSettings("127.0.0.1:9092");

  private static List<Long> waitsMs(NotifyConfig cfg) {
    List<Long> waits = new ArrayList<>();
    for (int n = 1; n < cfg.attempts(); n++) {
      waits.add(cfg.retry().backoff(n).toMillis());
    }
    return waits;
  }

  @Test
  void shouldRetryByDefaultWithDoublingWaitsCappedAtOneMinute() {
    NotifyConfig cfg = NotifyConfig.fromEnv(Map.of(), KAFKA);
    assertEquals(8, cfg.attempts());
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16_000L, 32_000L, 60_000L), waitsMs(cfg));
    // a receiver that fails its first 3 calls still gets the 4th, 7 s after the first
    assertTrue(cfg.attempts() > 3);
    assertEquals(Duration.ofSeconds(10), cfg.requestTimeout());
  }

  @Test
  void shouldTakeAttemptsBaseAndCapFromTheSettings() {
    NotifyConfig cfg = NotifyConfig.fromEnv(Map.of("FRAMEWATCH_WEBHOOK_ATTEMPTS", "5",
        "FRAMEWATCH_WEBHOOK_BACKOFF_MS", "300", "FRAMEWATCH_WEBHOOK_BACKOFF_MAX_MS", "1000"),
        KAFKA);
    assertEquals(List.of(300L, 600L, 1000L, 1000L), waitsMs(cfg));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NotifyConfig.fromEnv(Map.of("FRAMEWATCH_WEBHOOK_ATTEMPTS", "0"), KAFKA));
    assertEquals("FRAMEWATCH_WEBHOOK_ATTEMPTS must be >= 1, got 0", e.getMessage());
  }

  @Test
  void shouldParseConfiguredSubscriptionsWithStableIdsAndTheSecretAfterTheHash() {
    List<WebhookSubscription> subs = NotifyConfig.parseWebhooks(
        " https://hooks.example.com/fw?team=a&x=1#s3cret , http://10.0.0.5:8080/alerts#abc");
    assertEquals(2, subs.size());
    assertEquals("https://hooks.example.com/fw?team=a&x=1", subs.get(0).getUrl());
    assertEquals("s3cret", subs.get(0).getSecret());
    assertEquals("http://10.0.0.5:8080/alerts", subs.get(1).getUrl());
    assertEquals("abc", subs.get(1).getSecret());
    assertTrue(subs.get(0).getId().matches("config-[0-9a-f]{12}"), subs.get(0).getId());
    assertEquals(subs.get(1).getId(),
        NotifyConfig.parseWebhooks("http://10.0.0.5:8080/alerts#other").get(0).getId());
  }

  @Test
  void shouldRefuseConfiguredSubscriptionsWithoutSecretOrHttpUrl() {
    assertEquals("FRAMEWATCH_WEBHOOKS: 'https://a.example/hook' has no secret; write URL#SECRET",
        assertThrows(IllegalArgumentException.class,
            () -> NotifyConfig.parseWebhooks("https://a.example/hook")).getMessage());
    assertEquals("webhook URL 'ftp://a.example/hook' must be http or https",
        assertThrows(IllegalArgumentException.class,
            () -> NotifyConfig.parseWebhooks("ftp://a.example/hook#k")).getMessage());
    assertEquals("webhook URL '/hook' must be http or https",
        assertThrows(IllegalArgumentException.class,
            () -> NotifyConfig.parseWebhooks("/hook#k")).getMessage());
  }
}
