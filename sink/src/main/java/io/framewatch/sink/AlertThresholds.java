package io.framewatch.sink;

import io.framewatch.inference.ModelManifest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The raise and clear thresholds of one classifier's windowed P(fake).
 *
 * <p>Recommended values come from the model card's held-out figures, never from a test clip: the
 * manifest records the mean P(fake) of real and of forged clip segments at each compression level
 * ({@code held_out_mean_p_fake_real[_crf_N]}, {@code ..._forged...}). A window's score is such a
 * segment mean, so the raise threshold is the midpoint between the worst (highest) real mean and
 * the worst (lowest) forged mean over every level, and the clear threshold the midpoint between
 * that real mean and the raise threshold: a window must look more forged than real to raise, and
 * clearly real-like to clear.
 *
 * @param raise a window at or above this raises an alert
 * @param clear an open alert clears when every window stays below this for the hold time
 */
public record AlertThresholds(double raise, double clear) {
  static final String REAL = "held_out_mean_p_fake_real";
  static final String FORGED = "held_out_mean_p_fake_forged";

  /** Validates the pair. */
  public AlertThresholds {
    if (!(clear >= 0 && clear <= raise && raise <= 1)) {
      throw new IllegalArgumentException("alert thresholds need 0 <= clear <= raise <= 1, got raise "
          + raise + " clear " + clear);
    }
  }

  /** The thresholds recommended by {@code m}'s held-out figures; empty when it has none. */
  public static Optional<AlertThresholds> recommended(ModelManifest m) {
    double real = Double.NEGATIVE_INFINITY;
    double forged = Double.POSITIVE_INFINITY;
    for (Map.Entry<String, Object> e : m.metrics().entrySet()) {
      if (!(e.getValue() instanceof Number n)) {
        continue;
      }
      if (e.getKey().startsWith(REAL)) {
        real = Math.max(real, n.doubleValue());
      } else if (e.getKey().startsWith(FORGED)) {
        forged = Math.min(forged, n.doubleValue());
      }
    }
    if (real == Double.NEGATIVE_INFINITY || forged == Double.POSITIVE_INFINITY || forged <= real) {
      return Optional.empty(); // no figures, or segments it cannot tell apart on average
    }
    double raise = round((real + forged) / 2);
    return Optional.of(new AlertThresholds(raise, round((real + raise) / 2)));
  }

  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }

  /**
   * Parses {@code model=raise:clear[,model=raise:clear...]}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static Map<String, AlertThresholds> parse(String text) {
    Map<String, AlertThresholds> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String entry : text.split(",")) {
      String[] kv = entry.trim().split("=", 2);
      String[] rc = kv.length == 2 ? kv[1].split(":", 2) : new String[0];
      try {
        if (kv[0].isBlank() || rc.length != 2) {
          throw new NumberFormatException();
        }
        out.put(kv[0].trim(), new AlertThresholds(Double.parseDouble(rc[0].trim()),
            Double.parseDouble(rc[1].trim())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("FRAMEWATCH_ALERT_THRESHOLDS: '" + entry.trim()
            + "' is not model=raise:clear with 0 <= clear <= raise <= 1");
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.3f:%.3f", raise, clear);
  }
}
