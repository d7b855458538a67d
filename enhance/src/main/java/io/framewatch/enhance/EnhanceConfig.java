package io.framewatch.enhance;

import io.framewatch.inference.Device;
import io.framewatch.runtime.KafkaSettings;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the enhance stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the enhance fleet
 * @param workers consumer threads in this process (each loads its own model session)
 * @param model manifest id of the super-resolution model; empty: bursts are dead-lettered
 * @param intraOpThreads ONNX Runtime intra-op threads per session
 * @param device where the model runs: auto, cpu or tensorrt
 */
public record EnhanceConfig(KafkaSettings kafka, String group, int workers, Optional<String> model,
    int intraOpThreads, Device device) {

  /** Model used when FRAMEWATCH_SR_MODEL is unset. */
  public static final String DEFAULT_MODEL = "burstnc-x3";

  /** Validates the settings. */
  public EnhanceConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("enhance workers must be >= 1, got " + workers);
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, got " + intraOpThreads);
    }
  }

  /**
   * Reads {@code FRAMEWATCH_ENHANCE_WORKERS} (1), {@code FRAMEWATCH_SR_MODEL}
   * ({@link #DEFAULT_MODEL}; "none" for none), {@code FRAMEWATCH_INTRA_OP_THREADS} (1) and
   * {@code FRAMEWATCH_DEVICE} (auto).
   */
  public static EnhanceConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    String model = env.getOrDefault("FRAMEWATCH_SR_MODEL", DEFAULT_MODEL).strip();
    return new EnhanceConfig(kafka,
        env.getOrDefault("FRAMEWATCH_ENHANCE_GROUP", "framewatch-enhance"),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_ENHANCE_WORKERS", "1")),
        model.isEmpty() || model.equals("none") ? Optional.empty() : Optional.of(model),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_INTRA_OP_THREADS", "1")),
        Device.parse(env.getOrDefault("FRAMEWATCH_DEVICE", "auto")));
  }
}
