package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The temperature fits and the calibration error: a likelihood fit finds the temperature labels
 * were drawn with, the real-only rule puts the chosen share of real faces at the target, and ECE
 * is the textbook weighted gap.
 */
class TemperatureFitTest {

  /** Logits and labels drawn so that P(forged) = sigmoid(z / trueT). */
  private static int[] labels(double[] z, double trueT, long seed) {
    Random r = new Random(seed);
    int[] y = new int[z.length];
    for (int i = 0; i < z.length; i++) {
      y[i] = r.nextDouble() < DeepfakeClassifier.sigmoid(z[i] / trueT) ? 1 : 0;
    }
    return y;
  }

  private static double[] logits(int n, long seed) {
    Random r = new Random(seed);
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = r.nextGaussian() * 4;
    }
    return z;
  }

  @Test
  void shouldRecoverTheTemperatureLabelsWereDrawnWith() {
    double[] z = logits(20000, 1);
    for (double trueT : new double[] {0.5, 2.5}) {
      double t = TemperatureFit.fitNll(z, labels(z, trueT, 2));
      assertEquals(trueT, t, 0.1 * trueT, "fitted " + t);
    }
  }

  @Test
  void shouldLowerTheLikelihoodLossAndTheCalibrationErrorOfOverconfidentScores() {
    double[] z = logits(5000, 3);
    int[] y = labels(z, 3.0, 4);
    double t = TemperatureFit.fitNll(z, y);
    assertTrue(TemperatureFit.nll(z, y, t) < TemperatureFit.nll(z, y, 1.0));
    double before = TemperatureFit.ece(TemperatureFit.apply(z, 1.0), y, TemperatureFit.ECE_BINS);
    double after = TemperatureFit.ece(TemperatureFit.apply(z, t), y, TemperatureFit.ECE_BINS);
    assertTrue(after < before / 2, before + " -> " + after);
  }

  @Test
  void shouldPutTheChosenShareOfRealFacesAtTheTargetProbability() {
    double[] real = logits(1000, 5);
    double t = TemperatureFit.fitRealFpr(real, 0.05, 0.8);
    double[] p = TemperatureFit.apply(real, t);
    // up to the interpolation between two order statistics, which the sigmoid bends slightly
    assertEquals(0.8, TemperatureFit.quantile(p, 0.95), 1e-5);
  }

  @Test
  void shouldLeaveRealFacesThatAlreadyScoreBelowOneHalfAtTemperatureOne() {
    double[] real = {-3, -2, -1.5, -0.2};
    assertEquals(1.0, TemperatureFit.fitRealFpr(real, 0.05, 0.8));
  }

  @Test
  void shouldWeighEachBinsGapByItsShareOfScores() {
    // bin of 0.1: 2 scores, no forgeries (gap 0.1); bin of 0.9: 2 scores, one forged (gap 0.4)
    double[] p = {0.1, 0.1, 0.9, 0.9};
    int[] y = {0, 0, 1, 0};
    assertEquals(0.5 * 0.1 + 0.5 * 0.4, TemperatureFit.ece(p, y, 15), 1e-12);
    assertEquals(0.0, TemperatureFit.ece(new double[] {1.0, 0.0}, new int[] {1, 0}, 15), 1e-12);
  }

  @Test
  void shouldRefuseALikelihoodFitWithoutBothLabels() {
    assertThrows(IllegalArgumentException.class,
        () -> TemperatureFit.fitNll(new double[] {1, 2}, new int[] {0, 0}));
  }
}
