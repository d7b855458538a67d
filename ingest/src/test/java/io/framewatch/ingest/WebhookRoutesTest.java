package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.WebhookSubscription;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class WebhookRoutesTest {

  private static String refusal(JsonObject body) {
    return assertThrows(IllegalArgumentException.class,
        () -> WebhookRoutes.subscription(body, "acme"))
        .getMessage();
  }

  @Test
  void shouldRefuseAnythingButAnAbsoluteHttpUrlWithTheReason() {
    assertEquals("missing 'url'", refusal(new JsonObject()));
    assertEquals("missing 'url'", refusal(new JsonObject().put("url", 42)));
    assertEquals("'url' must be an absolute http or https URL, got '/hooks/fw'",
        refusal(new JsonObject().put("url", "/hooks/fw")));
    assertEquals("'url' must be an absolute http or https URL, got 'ftp://example.com/x'",
        refusal(new JsonObject().put("url", "ftp://example.com/x")));
    assertEquals("'url' has no host: 'http:///x'",
        refusal(new JsonObject().put("url", "http:///x")));
    assertTrue(refusal(new JsonObject().put("url", "https://a b/")).startsWith("'url' is not a URL"));
    assertEquals("'secret' must be a non-blank string of at most 512 characters (or absent: one is"
        + " generated)", refusal(new JsonObject().put("url", "https://example.com/h")
            .put("secret", " ")));
  }

  @Test
  void shouldGenerateA32ByteHexSecretWhenNoneIsGivenAndKeepAGivenOne() {
    JsonObject body = new JsonObject().put("url", "https://example.com/h").put("description", "d");
    WebhookSubscription a = WebhookRoutes.subscription(body, "acme");
    WebhookSubscription b = WebhookRoutes.subscription(body, "acme");
    assertTrue(a.getSecret().matches("[0-9a-f]{64}"), a.getSecret());
    assertNotEquals(a.getSecret(), b.getSecret());
    assertNotEquals(a.getId(), b.getId());
    assertEquals("d", a.getDescription());
    assertEquals("mine",
        WebhookRoutes.subscription(body.copy().put("secret", "mine"), "acme").getSecret());
  }
}
