package io.framewatch.app.bench;

import io.framewatch.runtime.Settings;
import java.util.List;
import java.util.Map;

/**
 * A detector and a classifier detect runs with, as the benchmarks that run whole stages set them.
 *
 * @param detector {@code FRAMEWATCH_DETECTOR}
 * @param classifier {@code FRAMEWATCH_CLASSIFIER}
 */
public record DetectModels(String detector, String classifier) {
  /**
   * What the stages ship: every classifier behind the default detector, and the default classifier
   * behind the small-face detector. A benchmark's headline is the worst of them.
   */
  public static final List<DetectModels> SHIPPED = List.of(
      new DetectModels("blazeface-front-128", "caddm-demo"),
      new DetectModels("blazeface-front-128", "fst-demo"),
      new DetectModels("blazeface-back-256", "caddm-demo"));

  /** The settings that select these models. */
  public Map<String, String> env() {
    return Map.of(Settings.DETECTOR.env(), detector, Settings.CLASSIFIER.env(), classifier);
  }

  /** "detector + classifier". */
  public String label() {
    return detector + " + " + classifier;
  }
}
