package io.framewatch.decode;

import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Settings;
import java.util.Map;

/**
 * Settings of the decode stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the decode fleet
 * @param workers jobs decoded in parallel in this process (one consumer each)
 * @param maxAnalysisSide default longest side of analysis frames in pixels (never upscaled)
 * @param maxSourcePixels refuse sources with more pixels per frame than this, before allocating
 * @param decoderThreads FFmpeg decoder threads per job; 0 lets FFmpeg choose (one per core and one more)
 * @param queueCapacity jobs a worker process accepts beyond those running
 * @param guard which addresses network sources may connect to ({@link Settings#SOURCE_ALLOW})
 * @param skip whether frames sampling throws away may be left undecoded ({@link DecodeSkip})
 */
public record DecodeConfig(
    KafkaSettings kafka, String group, int workers, int maxAnalysisSide, long maxSourcePixels,
    int decoderThreads, int queueCapacity, OutboundGuard guard, DecodeSkip skip) {

  /** Settings with the default skip mode ({@link DecodeSkip#AUTO}). */
  public DecodeConfig(KafkaSettings kafka, String group, int workers, int maxAnalysisSide,
      long maxSourcePixels, int decoderThreads, int queueCapacity, OutboundGuard guard) {
    this(kafka, group, workers, maxAnalysisSide, maxSourcePixels, decoderThreads, queueCapacity,
        guard, DecodeSkip.AUTO);
  }

  /** Settings with the default guard (public addresses only). */
  public DecodeConfig(KafkaSettings kafka, String group, int workers, int maxAnalysisSide,
      long maxSourcePixels, int decoderThreads, int queueCapacity) {
    this(kafka, group, workers, maxAnalysisSide, maxSourcePixels, decoderThreads, queueCapacity,
        OutboundGuard.of(null));
  }

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
    if (decoderThreads < 0 || decoderThreads > 64) {
      throw new IllegalArgumentException("decoder threads must be in [0, 64], got "
          + decoderThreads);
    }
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("decode queue capacity must be >= 0");
    }
    java.util.Objects.requireNonNull(guard, "guard");
    java.util.Objects.requireNonNull(skip, "skip");
  }

  /** Reads the decode options of {@link Settings} from {@code env}. */
  public static DecodeConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new DecodeConfig(kafka, Settings.DECODE_GROUP.read(env),
        Settings.DECODE_WORKERS.read(env), Settings.MAX_ANALYSIS_SIDE.read(env),
        Settings.MAX_SOURCE_PIXELS.read(env), Settings.DECODER_THREADS.read(env),
        Settings.DECODE_QUEUE.read(env), OutboundGuard.fromEnv(env),
        DecodeSkip.parse(Settings.DECODE_SKIP.read(env)));
  }
}
