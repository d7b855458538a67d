package io.framewatch.ingest;

import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.TenantPolicies;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the ingest stage.
 *
 * @param kafka cluster settings
 * @param host interface the HTTP server binds
 * @param port HTTP port; 0 picks a free one
 * @param mediaDir media store: uploads are streamed into it and decoders read from it
 * @param maxUploadBytes larger uploads are refused with 413
 * @param view what the API's read view keeps in memory
 * @param cacheDir the framewatch cache (the dashboard's chart library is fetched into it)
 * @param guard which hosts stream URLs and URLs to fetch may name ({@link Settings#SOURCE_ALLOW})
 * @param retention how long finished videos are kept
 * @param keys the API keys ({@link Settings#API_KEYS}, {@link Settings#API_KEY_FILE}); at least
 *     one
 * @param tenants each tenant's limits and retention ({@link Settings#TENANT_LIMITS})
 * @param webhookGuard which receivers webhooks may name ({@link Settings#WEBHOOK_ALLOW})
 * @param intake what a fetch of a URL intake may take (size, timeouts, progress interval)
 */
public record IngestConfig(KafkaSettings kafka, String host, int port, Path mediaDir,
    long maxUploadBytes, ViewLimits view, Path cacheDir,
    OutboundGuard guard, RetentionPolicy retention, ApiKeys keys, TenantPolicies tenants,
    OutboundGuard webhookGuard, UrlIntake.Limits intake) {

  /** Validates the settings. */
  public IngestConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("max upload size must be >= 1 byte");
    }
    mediaDir = mediaDir.toAbsolutePath();
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("no API key is configured: set "
          + Settings.API_KEYS.env() + " or " + Settings.API_KEY_FILE.env()
          + " to entries that `framewatch keys create TENANT` prints");
    }
  }

  /** Reads the ingest options of {@link Settings} from {@code env}. */
  public static IngestConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new IngestConfig(kafka, Settings.HTTP_HOST.read(env), Settings.HTTP_PORT.read(env),
        Path.of(Settings.MEDIA_DIR.read(env)), Settings.MAX_UPLOAD_MB.read(env) * 1024 * 1024,
        ViewLimits.fromEnv(env),
        io.framewatch.inference.ModelStore.of(Settings.CACHE.read(env, null), null).cacheDir(),
        OutboundGuard.fromEnv(env), RetentionPolicy.fromEnv(env), ApiKeys.fromEnv(env),
        TenantPolicies.fromEnv(env), OutboundGuard.fromEnv(env, Settings.WEBHOOK_ALLOW),
        UrlIntake.Limits.fromEnv(env));
  }

  /** These settings with another retention policy. */
  public IngestConfig withRetention(RetentionPolicy policy) {
    return new IngestConfig(kafka, host, port, mediaDir, maxUploadBytes, view, cacheDir, guard,
        policy, keys, tenants, webhookGuard, intake);
  }
}
