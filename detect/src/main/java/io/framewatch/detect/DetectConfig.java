package io.framewatch.detect;

import io.framewatch.inference.Device;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Setting;
import io.framewatch.runtime.Settings;
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
 * @param compressedClassifierModel manifest id of the classifier for heavily compressed frames
 *     (see {@link ClassifierRoute}), if any
 * @param routeQp mean block QP from which a frame counts as heavily compressed
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
    Optional<String> compressedClassifierModel,
    float routeQp,
    float minFaceScore,
    int intraOpThreads,
    Device device) {

  /** Validates the settings. */
  public DetectConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("detect workers must be >= 1, got " + workers);
    }
    if (detectorModel == null || detectorModel.isBlank()) {
      throw new IllegalArgumentException("a face detector model is required (FRAMEWATCH_DETECTOR)");
    }
    if (compressedClassifierModel.isPresent() && classifierModel.isEmpty()) {
      throw new IllegalArgumentException("a classifier for compressed frames ("
          + compressedClassifierModel.get() + ") needs a main classifier (FRAMEWATCH_CLASSIFIER)");
    }
    if (!(routeQp > 0 && routeQp <= 63)) {
      throw new IllegalArgumentException("route QP must be in (0, 63], got " + routeQp);
    }
    if (minFaceScore <= 0 || minFaceScore >= 1) {
      throw new IllegalArgumentException("min face score must be in (0, 1), got " + minFaceScore);
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intra-op threads must be >= 1, got " + intraOpThreads);
    }
  }

  /** Classifier used when FRAMEWATCH_CLASSIFIER is unset (see {@link Settings#CLASSIFIER}). */
  public static final String DEFAULT_CLASSIFIER = Settings.CLASSIFIER.defaultText();
  /**
   * Classifier for heavily compressed frames when FRAMEWATCH_CLASSIFIER_COMPRESSED is unset:
   * none, so every frame goes to {@link #DEFAULT_CLASSIFIER}. Neither shipped classifier loses
   * accuracy with compression, and caddm-demo is at least as good as fst-demo at every CRF (0,
   * 23, 35, 40) on the held-out person (CRF 40 frame AUC 0.890 vs 0.775) and on 158 unseen people
   * (0.652 vs 0.617, models/deepfake/identity_eval.py), so routing compressed frames to fst-demo
   * would only lose accuracy (docs/models/caddm-demo.md, "Compression and routing").
   */
  public static final String DEFAULT_COMPRESSED_CLASSIFIER =
      Settings.CLASSIFIER_COMPRESSED.defaultText();

  private static Optional<String> model(Map<String, String> env, Setting<String> setting) {
    String v = setting.read(env);
    return v.equals(FrameAnalyzer.NO_MODEL) ? Optional.empty() : Optional.of(v);
  }

  /** Reads the detect options of {@link Settings} from {@code env}. */
  public static DetectConfig fromEnv(Map<String, String> env, KafkaSettings kafka) {
    return new DetectConfig(kafka, Settings.DETECT_GROUP.read(env),
        Settings.DETECT_WORKERS.read(env), Settings.DETECTOR.read(env),
        model(env, Settings.CLASSIFIER), model(env, Settings.CLASSIFIER_COMPRESSED),
        Settings.ROUTE_QP.read(env), Settings.MIN_FACE_SCORE.read(env),
        Settings.INTRA_OP_THREADS.read(env), Device.parse(Settings.DEVICE.read(env)));
  }
}
