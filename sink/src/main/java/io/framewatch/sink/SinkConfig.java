package io.framewatch.sink;

import io.framewatch.runtime.KafkaSettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the sink stage.
 *
 * @param kafka cluster settings
 * @param applicationId Kafka Streams application id (consumer group and internal topic prefix)
 * @param stateDir where Kafka Streams keeps its local state
 * @param commitIntervalMs how often verdict updates are flushed downstream (progress granularity)
 * @param threads stream threads in this process
 */
public record SinkConfig(
    KafkaSettings kafka, String applicationId, Path stateDir, long commitIntervalMs, int threads) {

  /** Validates the settings. */
  public SinkConfig {
    if (applicationId == null || applicationId.isBlank()) {
      throw new IllegalArgumentException("sink application id must not be blank");
    }
    if (commitIntervalMs < 10) {
      throw new IllegalArgumentException("commit interval must be >= 10 ms");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("sink threads must be >= 1");
    }
  }

  /**
   * Reads {@code FRAMEWATCH_SINK_APP_ID} (framewatch-sink), {@code FRAMEWATCH_STATE_DIR}
   * (java.io.tmpdir/framewatch-state), {@code FRAMEWATCH_SINK_COMMIT_MS} (500) and
   * {@code FRAMEWATCH_SINK_THREADS} (1).
   */
  public static SinkConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new SinkConfig(kafka,
        env.getOrDefault("FRAMEWATCH_SINK_APP_ID", "framewatch-sink"),
        Path.of(env.getOrDefault("FRAMEWATCH_STATE_DIR",
            Path.of(System.getProperty("java.io.tmpdir"), "framewatch-state").toString())),
        Long.parseLong(env.getOrDefault("FRAMEWATCH_SINK_COMMIT_MS", "500")),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_SINK_THREADS", "1")));
  }
}
