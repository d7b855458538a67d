package io.framewatch.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The super-resolution models exported by models/sr/train_ncnet.py and train_burst.py (smoke
 * weights, made by `./framewatch test` before Maven runs) give through ONNX Runtime in Java what
 * PyTorch gave on the same input: max difference <= 1e-3 on the 0-255 scale, before rounding. The
 * parity input is smaller than the export's example input, so dynamic sizes are exercised too.
 */
class SrParityTest {

  private static float[] read(Path f) throws Exception {
    return Tensor.littleEndianFloats(Files.readAllBytes(f));
  }

  private static long[] shape(JsonNode node) {
    long[] s = new long[node.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = node.get(i).asLong();
    }
    return s;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ncnet-x3-smoke, ncnet-x3.onnx", "burstnc-x3-smoke, burstnc-x3.onnx"})
  void shouldMatchPyTorchWithin1e3OnTheSameInput(String run, String file) throws Exception {
    Path dir = ModelStore.fromEnvironment().cacheDir().resolve("sr").resolve(run);
    Path onnx = dir.resolve(file);
    assertTrue(Files.isRegularFile(onnx), onnx + " is missing: `./framewatch test` makes it with"
        + " models/sr/train_*.py --smoke before running Maven");
    JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    long[] inShape = shape(metrics.get("parity_input_shape"));
    long[] outShape = shape(metrics.get("parity_output_shape"));
    float[] in = read(dir.resolve("parity-input.bin"));
    float[] expected = read(dir.resolve("parity-output.bin"));
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(run, onnx, 1)) {
      Tensor out = b.run(new Tensor(inShape, in));
      assertArrayEquals(outShape, out.shape());
      assertEquals(expected.length, out.data().length);
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - out.data()[i]));
      }
      assertTrue(max <= 1e-3f, "max |Java - PyTorch| = " + max);
    }
  }
}
