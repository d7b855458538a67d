package io.framewatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  private static final String BODY = "{\"alertId\":\"v1#1\",\"sequence\":0}";

  @Test
  void shouldSignTimestampDotBodyWithHmacSha256AsLowerHex() {
    // computed apart from this code:
    //   printf '%s' '1700000000.{"alertId":"v1#1","sequence":0}' \
    //     | openssl dgst -sha256 -hmac 'whsec-test'
    assertEquals("v1=165da25e2c94b7bbf11eb4bb72a8f917fd7e8d9e76d4289a8328cdc445b1b474",
        WebhookSigner.sign("whsec-test", 1_700_000_000L, BODY));
  }

  @Test
  void shouldChangeTheSignatureWithTheTimestampSoAnOldOneCannotBeReplayedAsNew() {
    assertNotEquals(WebhookSigner.sign("whsec-test", 1_700_000_000L, BODY),
        WebhookSigner.sign("whsec-test", 1_700_000_001L, BODY));
  }
}
