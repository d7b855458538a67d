package io.framewatch.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: {@code v1=} followed by the lower-case hex HMAC-SHA256 of
 * {@code timestamp + "." + body}, keyed with the subscription secret's UTF-8 bytes (the secret
 * text as it is; a hex secret is not decoded). The timestamp is the one sent in
 * {@code X-Framewatch-Timestamp}, in Unix seconds, so a receiver can refuse stale replays.
 */
public final class WebhookSigner {
  /** Prefix of the current signature scheme. */
  public static final String SCHEME = "v1";

  private WebhookSigner() {}

  /**
   * The {@code X-Framewatch-Signature} value for one delivery attempt.
   *
   * @param secret the subscription's secret
   * @param timestampSeconds the attempt's {@code X-Framewatch-Timestamp}
   * @param body the exact request body
   */
  public static String sign(String secret, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestampSeconds + "." + body)
          .getBytes(StandardCharsets.UTF_8));
      return SCHEME + "=" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // every Java runtime ships HmacSHA256; an empty secret is refused before we get here
      throw new IllegalStateException("cannot compute HMAC-SHA256: " + e.getMessage(), e);
    }
  }
}
