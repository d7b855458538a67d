package io.framewatch.sink;

import io.framewatch.inference.ModelStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When the sink raises and clears alerts. Live streams: hopping windows of {@code windowUs} media
 * time ending every {@code hopUs}; a track's window score is the mean P(fake) of its faces in the
 * window, counted when it has at least {@code minFaces} of them and the window at least
 * {@code minFrames} analysed frames. Uploads: the FINAL verdict's decision score. Thresholds are
 * per classifier; a classifier without any (no figures, none configured) raises nothing.
 *
 * @param windowUs window length
 * @param hopUs a window ends every this often
 * @param holdUs an open alert clears after every track stayed below its clear threshold this long
 * @param minFaces scored faces a track needs in a window
 * @param minFrames analysed frames a window needs to raise or clear
 * @param thresholds classifier id to its thresholds
 */
public record AlertPolicy(long windowUs, long hopUs, long holdUs, int minFaces, int minFrames,
    Map<String, AlertThresholds> thresholds) {

  /** Validates the settings. */
  public AlertPolicy {
    if (windowUs < 1_000_000 || hopUs < 100_000 || hopUs > windowUs || holdUs < 0) {
      throw new IllegalArgumentException("alert windows need window >= 1 s, 0.1 s <= hop <= window"
          + " and hold >= 0");
    }
    if (minFaces < 1 || minFrames < 1) {
      throw new IllegalArgumentException("alert minimum faces and frames must be >= 1");
    }
    thresholds = Map.copyOf(thresholds);
  }

  /** The thresholds of {@code model}, if it has any. */
  public Optional<AlertThresholds> of(String model) {
    return Optional.ofNullable(thresholds.get(model));
  }

  /**
   * The defaults (10 s windows every 2 s, 6 s hold, 6 faces, 10 frames) with every shipped
   * classifier's recommended thresholds, overridden by {@code configured}.
   */
  public static AlertPolicy of(ModelStore models, Map<String, AlertThresholds> configured,
      double windowSeconds, double hopSeconds, double holdSeconds, int minFaces, int minFrames) {
    Map<String, AlertThresholds> t = new LinkedHashMap<>(recommended(models));
    t.putAll(configured);
    return new AlertPolicy(Math.round(windowSeconds * 1e6), Math.round(hopSeconds * 1e6),
        Math.round(holdSeconds * 1e6), minFaces, minFrames, t);
  }

  /** The recommended thresholds of every deepfake classifier the store knows. */
  public static Map<String, AlertThresholds> recommended(ModelStore models) {
    Map<String, AlertThresholds> t = new LinkedHashMap<>();
    for (String id : models.ids()) {
      var m = models.manifest(id);
      if ("deepfake-classification".equals(m.task())) {
        AlertThresholds.recommended(m).ifPresent(r -> t.put(id, r));
      }
    }
    return t;
  }
}
