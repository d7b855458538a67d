package io.framewatch.app;

import io.framewatch.decode.DecodeApp;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.decode.EvidenceConfig;
import io.framewatch.detect.DetectApp;
import io.framewatch.detect.DetectConfig;
import io.framewatch.enhance.EnhanceApp;
import io.framewatch.enhance.EnhanceConfig;
import io.framewatch.inference.ModelStore;
import io.framewatch.ingest.IngestApp;
import io.framewatch.ingest.IngestConfig;
import io.framewatch.notify.NotifyApp;
import io.framewatch.notify.NotifyConfig;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.Stage;
import io.framewatch.runtime.StageContext;
import io.framewatch.sink.SinkApp;
import io.framewatch.sink.SinkConfig;
import java.util.List;
import java.util.Map;

/**
 * The stage registry: how each stage is built from configuration. The CLI ({@code framewatch run
 * STAGE}), the embedded stack and the tests all build stages here, so they are wired one way.
 */
final class Stages {
  /** Every stage, in the order a stack starts them (consumers before producers of their input). */
  static final List<String> NAMES = List.of("notify", "sink", "detect", "enhance", "decode", "ingest");

  private Stages() {}

  /** The model store that {@code env} configures. */
  static ModelStore models(Map<String, String> env) {
    return ModelStore.of(Settings.CACHE.read(env, null), Settings.MODELS_DIR.read(env));
  }

  /**
   * Builds (does not start) a stage.
   *
   * @throws IllegalArgumentException for an unknown stage name
   */
  static Stage create(String name, Map<String, String> env, KafkaSettings kafka,
      StageContext ctx) {
    return switch (name) {
      case "ingest" -> new IngestApp(IngestConfig.fromEnv(env, kafka), ctx);
      case "decode" -> new DecodeApp(DecodeConfig.fromEnv(env, kafka),
          EvidenceConfig.fromEnv(env), ctx);
      case "detect" -> new DetectApp(DetectConfig.fromEnv(env, kafka), models(env), ctx);
      case "enhance" -> new EnhanceApp(EnhanceConfig.fromEnv(env, kafka), models(env), ctx);
      case "sink" -> new SinkApp(SinkConfig.fromEnv(env, kafka, models(env)), ctx);
      case "notify" -> new NotifyApp(NotifyConfig.fromEnv(env, kafka), ctx);
      default -> throw new IllegalArgumentException("unknown stage '" + name
          + "'; expected ingest, decode, detect, enhance, sink, notify or all");
    };
  }
}
