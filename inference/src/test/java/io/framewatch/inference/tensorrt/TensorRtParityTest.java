package io.framewatch.inference.tensorrt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Backends;
import io.framewatch.inference.Device;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.Precision;
import io.framewatch.inference.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorRT against ONNX Runtime on the same inputs (docs/GPU.md): FP32 within 1e-3, FP16 within
 * 1e-2, and the engine cache reused on a second open. Skipped where TensorRT or a GPU is absent.
 */
@Tag("gpu")
class TensorRtParityTest {
  @TempDir
  static Path engines;

  @BeforeAll
  static void requireTensorRt() {
    String status = Backends.tensorRtStatus();
    assumeTrue(status.startsWith("available"), "TensorRT " + status);
  }

  private static Tensor randomImage(long seed) {
    Random r = new Random(seed);
    float[] d = new float[128 * 128 * 3];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextFloat() * 2 - 1;
    }
    return new Tensor(new long[] {1, 128, 128, 3}, d);
  }

  private static float maxAbsDiff(Map<String, Tensor> a, Map<String, Tensor> b) {
    float max = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k).data();
      float[] y = b.get(k).data();
      assertEquals(x.length, y.length, k);
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }

  private static void compare(Precision p, float tolerance) throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    ModelManifest m = store.manifest("blazeface-front-128");
    Path file = store.resolve(m);
    BackendOptions opts = BackendOptions.defaults(engines).withDevice(Device.TENSORRT)
        .withPrecision(p, p == Precision.INT8 ? List.of(Map.of("input:0", randomImage(9)))
            : List.of());
    try (OnnxRuntimeBackend cpu = new OnnxRuntimeBackend(m.id(), file, 1);
        InferenceBackend gpu = Backends.open(m, file, opts)) {
      assertTrue(gpu.device().startsWith("tensorrt"), gpu.device());
      for (long seed = 1; seed <= 3; seed++) {
        Map<String, Tensor> in = Map.of("input:0", randomImage(seed));
        float diff = maxAbsDiff(cpu.run(in), gpu.run(in));
        assertTrue(diff <= tolerance, p + " max |diff| " + diff + " > " + tolerance);
      }
    }
  }

  @Test
  void shouldMatchOnnxRuntimeWithin1e3InFp32AndCacheTheEngine() throws Exception {
    compare(Precision.FP32, 1e-3f);
    long cached;
    try (var files = Files.list(engines.resolve("engines"))) {
      cached = files.filter(f -> f.toString().endsWith(".engine")).count();
    }
    assertEquals(1, cached, "one FP32 engine in the cache");
    compare(Precision.FP32, 1e-3f); // second open deserialises the cached engine
  }

  @Test
  void shouldMatchOnnxRuntimeWithin1e2InFp16() throws Exception {
    compare(Precision.FP16, 1e-2f);
  }
}
