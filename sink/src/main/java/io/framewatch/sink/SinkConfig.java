package io.framewatch.sink;

import io.framewatch.inference.ModelStore;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
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
 * @param stallTimeoutMs a running video without progress this long becomes STALLED
 * @param scoring face tracking and the decision score's policy
 * @param alerts when alerts are raised and cleared
 */
public record SinkConfig(
    KafkaSettings kafka, String applicationId, Path stateDir, long commitIntervalMs, int threads,
    long stallTimeoutMs, Scoring scoring, AlertPolicy alerts) {

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
    if (stallTimeoutMs < 1000) {
      throw new IllegalArgumentException("stall timeout must be >= 1 s");
    }
  }

  /**
   * Reads the sink options of {@link Settings} from {@code env}; alert thresholds not configured
   * are those recommended by the manifests of {@code models}.
   */
  public static SinkConfig fromEnv(Map<String, String> env, KafkaSettings kafka,
      ModelStore models) {
    return new SinkConfig(kafka, Settings.SINK_APP_ID.read(env),
        Path.of(Settings.STATE_DIR.read(env,
            Path.of(System.getProperty("java.io.tmpdir"), "framewatch-state").toString())),
        Settings.SINK_COMMIT_MS.read(env), Settings.SINK_THREADS.read(env),
        Settings.STALL_SECONDS.read(env) * 1000,
        new Scoring(new FaceTracker(Settings.TRACK_GAP.read(env), Settings.TRACK_WINDOW.read(env),
            Settings.EVIDENCE_PER_TRACK.read(env), Settings.EVIDENCE_SR_MAX_FACE.read(env)),
            Settings.SCORE_POLICY.read(env)),
        AlertPolicy.of(models, AlertThresholds.parse(Settings.ALERT_THRESHOLDS.read(env)),
            Settings.ALERT_WINDOW_SECONDS.read(env), Settings.ALERT_HOP_SECONDS.read(env),
            Settings.ALERT_HOLD_SECONDS.read(env), Settings.ALERT_MIN_FACES.read(env),
            Settings.ALERT_MIN_FRAMES.read(env)));
  }
}
