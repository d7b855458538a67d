package io.framewatch.detect;

import io.framewatch.inference.Device;
import io.framewatch.topic.KafkaSettings;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the detect stage.
 *
 * @param kafka cluster settings
 * @param group consumer group of the detect fleet
 * @param workers consumer threads in this process (each loads its own model sessions)
 * @param detectorModel manifest id of the face detector
 * @param classifierModel manifest id of the deepfake classifier, if one is installed
 * @param minFaceScore minimum face probability
 * @param intraOpThreads ONNX Runtime intra-op threads per session (1: two are unstable on 2 cores)
 * @param device where models run: auto (TensorRT if present, else CPU), cpu or tensorrt
 */
public record DetectConfig(
    KafkaSettings kafka,
    String group,
    int workers,
    String detectorModel,
    Optional<String> classifierModel,
    float minFaceScore,
    int intraOpThreads,
    Device device) {

  /** Validates the settings. */
  public DetectConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("detect workers must be >= 1, got " + workers);
    }
    BlazeFaceSpec.forModel(detectorModel);
    if (minFaceScore <= 0 || minFaceScore >= 1) {
      throw new IllegalArgumentException("min face score must be in (0, 1), got " + minFaceScore);
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, got " + intraOpThreads);
    }
  }

  /**
   * Reads {@code FRAMEWATCH_DETECT_WORKERS} (1), {@code FRAMEWATCH_DETECTOR}
   * (blazeface-front-128), {@code FRAMEWATCH_CLASSIFIER} (unset: none),
   * {@code FRAMEWATCH_MIN_FACE_SCORE} (0.5), {@code FRAMEWATCH_INTRA_OP_THREADS} (1) and
   * {@code FRAMEWATCH_DEVICE} (auto).
   */
  public static DetectConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new DetectConfig(kafka,
        env.getOrDefault("FRAMEWATCH_DETECT_GROUP", "framewatch-detect"),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_DETECT_WORKERS", "1")),
        env.getOrDefault("FRAMEWATCH_DETECTOR", BlazeFaceSpec.FRONT_128.modelId()),
        Optional.ofNullable(env.get("FRAMEWATCH_CLASSIFIER")).filter(s -> !s.isBlank()),
        Float.parseFloat(env.getOrDefault("FRAMEWATCH_MIN_FACE_SCORE", "0.5")),
        Integer.parseInt(env.getOrDefault("FRAMEWATCH_INTRA_OP_THREADS", "1")),
        Device.parse(env.getOrDefault("FRAMEWATCH_DEVICE", "auto")));
  }
}
