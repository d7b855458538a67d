package io.framewatch.notify;

import io.framewatch.proto.WebhookSubscription;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Retry;
import io.framewatch.runtime.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the notify stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the notify fleet
 * @param configured subscriptions from {@code FRAMEWATCH_WEBHOOKS} (besides the topic's): the
 *     operator's, without a tenant, so they receive every tenant's alerts
 * @param retry retries after a failed attempt: {@code retry.attempts()} more, waiting
 *     {@code retry.backoff(n)} before the n-th
 * @param connectTimeout TCP/TLS connect timeout of an attempt
 * @param requestTimeout time a receiver has to answer an attempt
 * @param inFlight alert transitions delivered at once by this process
 * @param guard which addresses webhook receivers may have ({@link Settings#WEBHOOK_ALLOW})
 */
public record NotifyConfig(KafkaSettings kafka, String group,
    List<WebhookSubscription> configured, Retry retry, Duration connectTimeout,
    Duration requestTimeout, int inFlight, OutboundGuard guard) {

  /** Validates the settings. */
  public NotifyConfig {
    configured = List.copyOf(configured);
    java.util.Objects.requireNonNull(guard, "guard");
    if (connectTimeout.isNegative() || connectTimeout.isZero()
        || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("webhook timeouts must be > 0");
    }
    if (inFlight < 1) {
      throw new IllegalArgumentException("notify in-flight limit must be >= 1, got " + inFlight);
    }
  }

  /** Attempts per delivery, the first included. */
  public int attempts() {
    return retry.attempts() + 1;
  }

  /** Reads the notify options of {@link Settings} from {@code env}. */
  public static NotifyConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    int attempts = Settings.WEBHOOK_ATTEMPTS.read(env);
    if (attempts < 1) {
      throw new IllegalArgumentException(Settings.WEBHOOK_ATTEMPTS.env() + " must be >= 1, got "
          + attempts);
    }
    Retry retry = new Retry(attempts - 1, Duration.ofMillis(Settings.WEBHOOK_BACKOFF_MS.read(env)),
        Duration.ofMillis(Settings.WEBHOOK_BACKOFF_MAX_MS.read(env)));
    return new NotifyConfig(kafka, Settings.NOTIFY_GROUP.read(env),
        parseWebhooks(Settings.WEBHOOKS.read(env)), retry,
        Duration.ofMillis(Settings.WEBHOOK_CONNECT_TIMEOUT_MS.read(env)),
        Duration.ofMillis(Settings.WEBHOOK_TIMEOUT_MS.read(env)),
        Settings.NOTIFY_IN_FLIGHT.read(env),
        OutboundGuard.fromEnv(env, Settings.WEBHOOK_ALLOW));
  }

  /**
   * Parses {@code FRAMEWATCH_WEBHOOKS}: {@code URL#SECRET} entries separated by commas or
   * whitespace. A URL's fragment is never sent over HTTP, so the text after the last {@code #} can
   * only be the secret. Each gets the id {@code config-} + the first 12 hex digits of the URL's
   * SHA-256, the same in every process and across restarts.
   *
   * @throws IllegalArgumentException naming the entry that is not a valid subscription
   */
  public static List<WebhookSubscription> parseWebhooks(String value) {
    List<WebhookSubscription> out = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return out;
    }
    Set<String> ids = new HashSet<>();
    for (String entry : value.strip().split("[,\\s]+")) {
      int hash = entry.lastIndexOf('#');
      if (hash < 0 || hash == entry.length() - 1) {
        throw new IllegalArgumentException(Settings.WEBHOOKS.env() + ": '" + entry
            + "' has no secret; write URL#SECRET");
      }
      String url = entry.substring(0, hash);
      checkUrl(url);
      String id = "config-" + ApiKeys.sha256(url).substring(0, 12);
      if (!ids.add(id)) {
        throw new IllegalArgumentException(Settings.WEBHOOKS.env() + " lists " + url + " twice");
      }
      out.add(WebhookSubscription.newBuilder().setId(id).setUrl(url)
          .setSecret(entry.substring(hash + 1)).setDescription(Settings.WEBHOOKS.env()).build());
    }
    return out;
  }

  /**
   * Checks that {@code url} is an absolute http or https URL with a host.
   *
   * @throws IllegalArgumentException with the reason otherwise
   */
  static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("webhook URL '" + url + "' does not parse: "
          + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("webhook URL '" + url + "' must be http or https");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("webhook URL '" + url + "' has no host");
    }
  }
}
