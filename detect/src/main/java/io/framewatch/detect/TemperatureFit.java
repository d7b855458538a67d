package io.framewatch.detect;

import java.util.Arrays;

/**
 * Fits the temperature a {@link DeepfakeClassifier} divides its logit by (P(fake) =
 * sigmoid(z / T)), and measures how well P(fake) is calibrated. A temperature keeps the order of
 * the scores (so every AUC) and keeps P(fake) = 0.5 where it is: it only spreads or squeezes the
 * scores around it.
 *
 * <ul>
 *   <li>{@link #fitNll}: real and forged faces: the temperature of least mean negative
 *       log-likelihood (classic temperature scaling).
 *   <li>{@link #fitRealFpr}: real faces only (a platform's own people, no forgeries at hand): the
 *       temperature that puts the real faces' (1 - fpr) quantile logit at the target P(fake),
 *       so that a share {@code fpr} of real faces scores at or above the target. Where that
 *       quantile is already at or below P(fake) 0.5, no temperature can move it (0.5 stays 0.5)
 *       and none is needed: the fit is 1.
 * </ul>
 */
public final class TemperatureFit {
  /** Temperatures are kept in [MIN, MAX]. */
  public static final double MIN = 0.05;
  /** Temperatures are kept in [MIN, MAX]. */
  public static final double MAX = 100;
  /** Bins of {@link #ece} used throughout (equal width on [0, 1]). */
  public static final int ECE_BINS = 15;

  private TemperatureFit() {}

  /** Mean negative log-likelihood of labels {@code y} (1 = forged) under sigmoid(z / t). */
  public static double nll(double[] z, int[] y, double t) {
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      double s = z[i] / t;
      // -log sigmoid(s) = log(1 + e^-s), computed without overflow
      double m = y[i] == 1 ? -s : s;
      sum += Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m)));
    }
    return sum / z.length;
  }

  /**
   * The temperature in [{@link #MIN}, {@link #MAX}] of least {@link #nll}: golden-section search
   * on 1/T, in which the loss is convex.
   *
   * @throws IllegalArgumentException unless there are faces of both labels
   */
  public static double fitNll(double[] z, int[] y) {
    if (z.length != y.length) {
      throw new IllegalArgumentException(z.length + " logits, " + y.length + " labels");
    }
    long fakes = Arrays.stream(y).filter(v -> v == 1).count();
    if (fakes == 0 || fakes == y.length) {
      throw new IllegalArgumentException("a likelihood fit needs real and forged faces");
    }
    double g = (Math.sqrt(5) - 1) / 2;
    double a = 1 / MAX;
    double b = 1 / MIN;
    double c = b - g * (b - a);
    double d = a + g * (b - a);
    double fc = nll(z, y, 1 / c);
    double fd = nll(z, y, 1 / d);
    for (int i = 0; i < 80; i++) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = nll(z, y, 1 / c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = nll(z, y, 1 / d);
      }
    }
    return 2 / (a + b);
  }

  /**
   * The temperature that puts the (1 - fpr) quantile of the real faces' logits at P(fake)
   * {@code target}; 1 when that quantile is at or below 0 (P(fake) 0.5). Kept in
   * [{@link #MIN}, {@link #MAX}].
   *
   * @param realLogits logits of real faces
   * @param fpr share of real faces allowed at or above {@code target}, in (0, 0.5)
   * @param target P(fake) in (0.5, 1): where the share lands (the alert threshold)
   */
  public static double fitRealFpr(double[] realLogits, double fpr, double target) {
    if (realLogits.length == 0) {
      throw new IllegalArgumentException("no real faces to fit on");
    }
    if (!(fpr > 0 && fpr < 0.5)) {
      throw new IllegalArgumentException("false-positive rate must be in (0, 0.5), got " + fpr);
    }
    if (!(target > 0.5 && target < 1)) {
      throw new IllegalArgumentException("target P(fake) must be in (0.5, 1), got " + target);
    }
    double q = quantile(realLogits, 1 - fpr);
    if (q <= 0) {
      return 1.0;
    }
    double t = q / Math.log(target / (1 - target));
    return Math.min(MAX, Math.max(MIN, t));
  }

  /** The {@code p} quantile of {@code v} (linear interpolation between order statistics). */
  public static double quantile(double[] v, double p) {
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = p * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  /** P(fake) of each logit at temperature {@code t}. */
  public static double[] apply(double[] z, double t) {
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = DeepfakeClassifier.sigmoid(z[i] / t);
    }
    return p;
  }

  /**
   * Expected calibration error over {@code bins} equal-width bins of P(fake) on [0, 1] (the last
   * closed): each bin's share of the scores times |share of forged - mean P(fake)| in it.
   */
  public static double ece(double[] p, int[] y, int bins) {
    double[] sumP = new double[bins];
    double[] sumY = new double[bins];
    int[] n = new int[bins];
    for (int i = 0; i < p.length; i++) {
      int b = Math.min((int) (p[i] * bins), bins - 1);
      sumP[b] += p[i];
      sumY[b] += y[i];
      n[b]++;
    }
    double total = 0;
    for (int b = 0; b < bins; b++) {
      if (n[b] > 0) {
        total += Math.abs(sumY[b] - sumP[b]) / p.length;
      }
    }
    return total;
  }
}
