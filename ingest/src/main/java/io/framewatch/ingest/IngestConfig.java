package io.framewatch.ingest;

import io.framewatch.runtime.KafkaSettings;
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
 */
public record IngestConfig(
    KafkaSettings kafka, String host, int port, Path mediaDir, long maxUploadBytes) {

  /** Validates the settings. */
  public IngestConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("max upload size must be >= 1 byte");
    }
    mediaDir = mediaDir.toAbsolutePath();
  }

  /**
   * Reads {@code FRAMEWATCH_HTTP_HOST} (0.0.0.0), {@code FRAMEWATCH_HTTP_PORT} (8080),
   * {@code FRAMEWATCH_MEDIA_DIR} (./media) and {@code FRAMEWATCH_MAX_UPLOAD_MB} (2048).
   */
  public static IngestConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new IngestConfig(kafka,
        env.getOrDefault("FRAMEWATCH_HTTP_HOST", "0.0.0.0"),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_HTTP_PORT", "8080")),
        Path.of(env.getOrDefault("FRAMEWATCH_MEDIA_DIR", "media")),
        Long.parseLong(env.getOrDefault("FRAMEWATCH_MAX_UPLOAD_MB", "2048")) * 1024 * 1024);
  }
}
