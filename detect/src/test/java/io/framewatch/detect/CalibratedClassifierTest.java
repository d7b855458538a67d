package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A calibration temperature divides the shipped classifier's logit on real crops (the cached
 * franck frames, as {@link BatchedScoresTest} takes them); temperature 1 is the model untouched.
 */
class CalibratedClassifierTest {
  private static final String MODEL = "caddm-demo";

  private static DeepfakeClassifier open(double temperature) throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    return new DeepfakeClassifier(MODEL, store.open(MODEL,
        BackendOptions.defaults(store.cacheDir()).withThreads(1, 1)), temperature);
  }

  @Test
  void shouldDivideTheLogitByTheTemperatureAndLeaveTemperatureOneUntouched() throws Exception {
    List<float[]> crops = BatchedScoresTest.realCrops();
    try (DeepfakeClassifier plain = open(1.0); DeepfakeClassifier soft = open(3.0);
        DeepfakeClassifier sharp = open(0.5)) {
      assertEquals(1.0, ModelStore.fromEnvironment().manifest(MODEL).temperature(),
          "a shipped manifest has no calibration");
      float[] p = plain.pFake(crops);
      double[] z = plain.logits(crops);
      float[] ps = soft.pFake(crops);
      float[] pk = sharp.pFake(crops);
      for (int i = 0; i < crops.size(); i++) {
        assertEquals(p[i], DeepfakeClassifier.sigmoid(z[i]), 1e-5, "logit of crop " + i);
        assertEquals(DeepfakeClassifier.sigmoid(z[i] / 3.0), ps[i], 1e-6, "crop " + i);
        // a temperature above 1 pulls every score towards 0.5, below 1 pushes it away
        assertTrue(Math.abs(ps[i] - 0.5) <= Math.abs(p[i] - 0.5), "crop " + i);
        assertTrue(Math.abs(pk[i] - 0.5) >= Math.abs(p[i] - 0.5), "crop " + i);
      }
    }
  }

  @Test
  void shouldRefuseATemperatureThatIsNotPositive() {
    assertThrows(IllegalArgumentException.class, () -> new DeepfakeClassifier(MODEL, null, 0));
  }
}
