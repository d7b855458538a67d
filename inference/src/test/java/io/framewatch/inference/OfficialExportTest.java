package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * models/export-official, run by `./framewatch test` on a stand-in checkout (our CADDM-style
 * ResNet-34 with random weights, saved as the official training saves), gives a model that the
 * store accepts as user-supplied and that ONNX Runtime runs as PyTorch did.
 */
class OfficialExportTest {
  private static final String ID = "caddm-official-test";

  private static Path exportDir() {
    return ModelStore.fromEnvironment().cacheDir().resolve("deepfake").resolve("official-test");
  }

  @Test
  void shouldLoadAsAUserModelAndMatchPyTorchOnTheParityInput() throws Exception {
    Path dir = exportDir();
    assertTrue(Files.isRegularFile(dir.resolve(ID + ".json")), dir + " has no export: "
        + "`./framewatch test` runs models/export-official before Maven");
    ModelStore store = new ModelStore(ModelStore.fromEnvironment().cacheDir(), Optional.of(dir));
    assertTrue(store.ids().contains(ID), "ids: " + store.ids());
    ModelManifest m = store.manifest(ID);
    assertTrue(m.source().userSupplied());
    assertEquals("BGR", m.inputs().get(0).colour());
    assertArrayEquals(new long[] {-1, 3, 224, 224}, m.inputs().get(0).shape());
    assertArrayEquals(new long[] {-1, 2}, m.outputs().get(0).shape());
    Path file = store.resolve(m);
    ModelVerifier.checkGraph(m, file);
    OptionalDouble diff = ModelVerifier.checkParity(m, file);
    assertTrue(diff.isPresent() && diff.getAsDouble() <= 1e-4, "max diff " + diff);
  }

  @Test
  void shouldExportTheArtifactModulesPerCellMapAsASecondOutput() throws Exception {
    Path dir = exportDir();
    ModelStore store = new ModelStore(ModelStore.fromEnvironment().cacheDir(), Optional.of(dir));
    ModelManifest m = store.manifest(ID);
    // the stand-in's ADM gives per-cell logits: the export declares them, ONNX Runtime runs them
    assertEquals(2, m.outputs().size(), "outputs " + m.outputs());
    assertEquals("artifact", m.outputs().get(1).name());
    assertArrayEquals(new long[] {-1, 7, 7}, m.outputs().get(1).shape());
    float[] crop = new float[3 * 224 * 224];
    for (int i = 0; i < crop.length; i++) {
      crop[i] = (i * 37) % 256;
    }
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(ID, store.resolve(m),
        BackendOptions.defaults(dir).withThreads(1, 1))) {
      Tensor art = b.run(java.util.Map.of("input", new Tensor(new long[] {1, 3, 224, 224}, crop)))
          .get("artifact");
      assertArrayEquals(new long[] {1, 7, 7}, art.shape());
      for (float v : art.data()) {
        assertTrue(v >= 0 && v <= 1, "a probability: " + v);
      }
    }
  }

  @Test
  void shouldRefuseAModelWhoseOutputDiffersFromTheExporters(@TempDir Path tmp) throws Exception {
    Path dir = exportDir();
    Path onnx = dir.resolve(ID + ".onnx");
    assertTrue(Files.isRegularFile(onnx), onnx + " is missing");
    Files.createSymbolicLink(tmp.resolve(ID + ".onnx"), onnx);
    Files.copy(dir.resolve(ID + ".json"), tmp.resolve(ID + ".json"));
    Files.copy(dir.resolve(ID + ".parity-input.bin"), tmp.resolve(ID + ".parity-input.bin"));
    byte[] out = Files.readAllBytes(dir.resolve(ID + ".parity-output.bin"));
    out[3] ^= 0x01; // flips a bit in the first probability's exponent: a visibly different value
    Files.write(tmp.resolve(ID + ".parity-output.bin"), out);
    ModelStore store = new ModelStore(ModelStore.fromEnvironment().cacheDir(), Optional.of(tmp));
    ModelManifest m = store.manifest(ID);
    InferenceException e = assertThrows(InferenceException.class,
        () -> ModelVerifier.checkParity(m, store.resolve(m)));
    assertTrue(e.getMessage().contains("differs from the exporter"), e.getMessage());
  }
}
