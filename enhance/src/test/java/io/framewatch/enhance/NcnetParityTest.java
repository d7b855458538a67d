package io.framewatch.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The NCNet exported by models/sr/train_ncnet.py (smoke weights, made by `./framewatch test` before
 * Maven runs) gives through ONNX Runtime in Java what PyTorch gave on the same input: max
 * difference <= 1e-3 on the 0-255 scale, before rounding.
 */
class NcnetParityTest {

  private static float[] read(Path f) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void shouldMatchPyTorchWithin1e3OnTheSameInput() throws Exception {
    Path dir = ModelStore.fromEnvironment().cacheDir().resolve("sr").resolve("ncnet-x3-smoke");
    Path onnx = dir.resolve("ncnet-x3.onnx");
    assertTrue(Files.isRegularFile(onnx), onnx + " is missing: `./framewatch test` makes it with"
        + " models/sr/train_ncnet.py --smoke before running Maven");
    float[] in = read(dir.resolve("parity-input.bin"));
    float[] expected = read(dir.resolve("parity-output.bin"));
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend("ncnet-x3-smoke", onnx, 1)) {
      Tensor out = b.run(new Tensor(new long[] {1, 3, 20, 24}, in));
      assertArrayEquals(new long[] {1, 3, 60, 72}, out.shape());
      assertEquals(expected.length, out.data().length);
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - out.data()[i]));
      }
      assertTrue(max <= 1e-3f, "max |Java - PyTorch| = " + max);
    }
  }
}
