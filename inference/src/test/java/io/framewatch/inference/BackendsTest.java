package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
  @TempDir
  Path dir;

  private static boolean noGpu() {
    return Backends.tensorRtStatus().startsWith("unavailable");
  }

  @Test
  void shouldFallBackToOnnxRuntimeWhenAutoFindsNoTensorRt() throws Exception {
    assumeTrue(noGpu(), "this machine has TensorRT and a GPU; the fallback is not exercised");
    ModelStore store = ModelStore.fromEnvironment();
    BackendOptions auto = BackendOptions.defaults(dir);
    try (InferenceBackend b = store.open("blazeface-front-128", auto)) {
      assertEquals("onnxruntime-cpu", b.device());
      Tensor out = b.run(new Tensor(new long[] {1, 128, 128, 3}, new float[128 * 128 * 3]));
      assertEquals(512, out.data().length);
    }
    // and it keeps falling back on later attempts (NoClassDefFoundError after the first failure)
    try (InferenceBackend again = store.open("blazeface-front-128", auto)) {
      assertEquals("onnxruntime-cpu", again.device());
    }
  }

  @Test
  void shouldRefuseDeviceTensorRtWithAReasonWhenItIsAbsent() {
    assumeTrue(noGpu(), "this machine has TensorRT and a GPU");
    ModelStore store = ModelStore.fromEnvironment();
    InferenceException e = assertThrows(InferenceException.class, () -> store.open(
        "blazeface-front-128", BackendOptions.defaults(dir).withDevice(Device.TENSORRT)));
    assertTrue(e.getMessage().contains("blazeface-front-128"), e.getMessage());
  }

  @Test
  void shouldParseDeviceNames() {
    assertEquals(Device.AUTO, Device.parse("auto"));
    assertEquals(Device.TENSORRT, Device.parse(" TensorRT "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Device.parse("gpu"));
    assertTrue(e.getMessage().contains("auto, cpu or tensorrt"));
  }
}
