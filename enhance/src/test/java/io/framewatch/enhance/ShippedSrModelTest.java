package io.framewatch.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Device;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.Tensor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The trained super-resolution models ship on the classpath with their manifests: the store
 * extracts and verifies each, and ONNX Runtime in Java reproduces the golden PyTorch output of
 * its training run (max difference <= 1e-3 on 0-255, before rounding).
 */
class ShippedSrModelTest {
  @TempDir
  Path cache;

  private static float[] golden(String id, String name) throws Exception {
    try (InputStream in = ShippedSrModelTest.class.getResourceAsStream(
        "/golden/" + id + "/" + name)) {
      return Tensor.littleEndianFloats(in.readAllBytes());
    }
  }

  private static long[] dims(String s) {
    return Arrays.stream(s.split("x")).mapToLong(Long::parseLong).toArray();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ncnet-x3, 1x3x20x24, 1x3x60x72", "burstnc-x3, 1x5x3x18x20, 1x3x54x60"})
  void shouldLoadTheShippedWeightsAndReproduceTheirPyTorchOutput(String id, String in,
      String out) throws Exception {
    ModelStore store = new ModelStore(cache, Optional.empty());
    try (InferenceBackend b = store.open(id,
        BackendOptions.defaults(cache).withDevice(Device.CPU))) {
      Tensor result = b.run(new Tensor(dims(in), golden(id, "parity-input.bin")));
      assertArrayEquals(dims(out), result.shape());
      float[] expected = golden(id, "parity-output.bin");
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - result.data()[i]));
      }
      assertTrue(max <= 1e-3f, id + ": max |Java - PyTorch| = " + max);
    }
  }
}
