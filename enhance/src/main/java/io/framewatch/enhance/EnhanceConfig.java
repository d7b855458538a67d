package io.framewatch.enhance;

import io.framewatch.topic.KafkaSettings;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the enhance stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the enhance fleet
 * @param workers consumer threads in this process
 * @param model manifest id of the super-resolution model, if one is installed
 */
public record EnhanceConfig(KafkaSettings kafka, String group, int workers, Optional<String> model) {

  /** Validates the settings. */
  public EnhanceConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("enhance workers must be >= 1, got " + workers);
    }
  }

  /** Reads {@code FRAMEWATCH_ENHANCE_WORKERS} (1) and {@code FRAMEWATCH_SR_MODEL} (unset). */
  public static EnhanceConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new EnhanceConfig(kafka,
        env.getOrDefault("FRAMEWATCH_ENHANCE_GROUP", "framewatch-enhance"),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_ENHANCE_WORKERS", "1")),
        Optional.ofNullable(env.get("FRAMEWATCH_SR_MODEL")).filter(s -> !s.isBlank()));
  }
}
