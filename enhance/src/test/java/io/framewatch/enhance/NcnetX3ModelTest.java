package io.framewatch.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Device;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.Tensor;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trained ncnet-x3 ships on the classpath with its manifest: the store extracts and verifies
 * it, and ONNX Runtime in Java reproduces the golden PyTorch output of the training run
 * (max difference <= 1e-3 on 0-255).
 */
class NcnetX3ModelTest {
  @TempDir
  Path cache;

  private static float[] golden(String name) throws Exception {
    try (InputStream in = NcnetX3ModelTest.class.getResourceAsStream("/golden/ncnet-x3/" + name)) {
      ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    }
  }

  @Test
  void shouldLoadTheShippedWeightsAndReproduceTheirPyTorchOutput() throws Exception {
    ModelStore store = new ModelStore(cache, java.util.Optional.empty());
    try (InferenceBackend b = store.open("ncnet-x3",
        BackendOptions.defaults(cache).withDevice(Device.CPU))) {
      Tensor out = b.run(new Tensor(new long[] {1, 3, 20, 24}, golden("parity-input.bin")));
      assertArrayEquals(new long[] {1, 3, 60, 72}, out.shape());
      float[] expected = golden("parity-output.bin");
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - out.data()[i]));
      }
      assertTrue(max <= 1e-3f, "max |Java - PyTorch| = " + max);
    }
  }
}
