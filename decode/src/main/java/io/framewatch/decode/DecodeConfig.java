package io.framewatch.decode;

import io.framewatch.topic.KafkaSettings;
import java.util.Map;

/**
 * Settings of the decode stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the decode fleet
 * @param workers jobs decoded in parallel in this process (one consumer each)
 * @param maxAnalysisSide default longest side of analysis frames in pixels (never upscaled)
 * @param maxSourcePixels refuse sources with more pixels per frame than this, before allocating
 */
public record DecodeConfig(
    KafkaSettings kafka, String group, int workers, int maxAnalysisSide, long maxSourcePixels) {

  /** Validates the settings. */
  public DecodeConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("decode workers must be >= 1, got " + workers);
    }
    if (maxAnalysisSide < 16 || maxAnalysisSide > 8192) {
      throw new IllegalArgumentException("max analysis side must be in [16, 8192], got "
          + maxAnalysisSide);
    }
    if (maxSourcePixels < 1) {
      throw new IllegalArgumentException("max source pixels must be >= 1");
    }
  }

  /**
   * Reads {@code FRAMEWATCH_DECODE_WORKERS} (1), {@code FRAMEWATCH_MAX_ANALYSIS_SIDE} (640) and
   * {@code FRAMEWATCH_MAX_SOURCE_PIXELS} (8192x8192).
   */
  public static DecodeConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new DecodeConfig(kafka,
        env.getOrDefault("FRAMEWATCH_DECODE_GROUP", "framewatch-decode"),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_DECODE_WORKERS", "1")),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_MAX_ANALYSIS_SIDE", "640")),
        Long.parseLong(env.getOrDefault("FRAMEWATCH_MAX_SOURCE_PIXELS",
            Long.toString(8192L * 8192L))));
  }
}
