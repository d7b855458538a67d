package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeBackendTest {
  @TempDir
  Path dir;

  @Test
  void shouldComputeAKnownAffineGraphForAnyBatchSizeReusingItsInputBuffer() throws Exception {
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend("affine", TestGraphs.affine(dir), 1)) {
      assertEquals("onnxruntime-cpu", b.device());
      assertArrayEquals(new long[] {-1, 3}, b.inputShapes().get("x"));
      float[] one = {1, 2, 3};
      Tensor y1 = b.run(new Tensor(new long[] {1, 3}, one));
      assertArrayEquals(new long[] {1, 2}, y1.shape());
      assertArrayEquals(TestGraphs.affineOf(one), y1.data(), 1e-6f);
      // a larger batch, then a smaller one: the staging buffer grows, then is reused
      float[] three = {1, 2, 3, -1, 0, 4, 0.5f, 0.5f, 0.5f};
      Tensor y3 = b.run(new Tensor(new long[] {3, 3}, three));
      for (int r = 0; r < 3; r++) {
        float[] row = {three[3 * r], three[3 * r + 1], three[3 * r + 2]};
        float[] got = {y3.data()[2 * r], y3.data()[2 * r + 1]};
        assertArrayEquals(TestGraphs.affineOf(row), got, 1e-6f);
      }
      assertArrayEquals(TestGraphs.affineOf(one), b.run(new Tensor(new long[] {1, 3}, one)).data(),
          1e-6f);
    }
  }

  @Test
  void shouldRunSamplesAsOneBatchStagedStraightIntoItsBuffer() throws Exception {
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend("affine", TestGraphs.affine(dir), 1)) {
      List<float[]> rows = List.of(new float[] {1, 2, 3}, new float[] {-1, 0, 4},
          new float[] {0.5f, 0.5f, 0.5f});
      List<Map<String, Tensor>> samples = new ArrayList<>();
      for (float[] r : rows) {
        samples.add(Map.of("x", new Tensor(new long[] {1, 3}, r)));
      }
      Tensor y = b.runBatch(samples).get("y");
      assertArrayEquals(new long[] {3, 2}, y.shape());
      for (int r = 0; r < 3; r++) {
        assertArrayEquals(TestGraphs.affineOf(rows.get(r)),
            new float[] {y.data()[2 * r], y.data()[2 * r + 1]}, 1e-6f);
      }
      List<Map<String, Tensor>> mixed = List.of(samples.get(0),
          Map.of("x", new Tensor(new long[] {2, 3}, new float[6])));
      InferenceException e = assertThrows(InferenceException.class, () -> b.runBatch(mixed));
      assertTrue(e.getMessage().contains("affine"), e.getMessage());
    }
  }

  @Test
  void shouldNameTheModelWhenAnInputIsMissingOrMisshapen() throws Exception {
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend("affine", TestGraphs.affine(dir), 1)) {
      InferenceException missing = assertThrows(InferenceException.class, () -> b.run(Map.of()));
      assertTrue(missing.getMessage().contains("affine") && missing.getMessage().contains("'x'"));
      InferenceException wrong = assertThrows(InferenceException.class,
          () -> b.run(new Tensor(new long[] {1, 4}, new float[4])));
      assertTrue(wrong.getMessage().startsWith("model affine"), wrong.getMessage());
    }
  }
}
