package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelManifestTest {

  @Test
  void shouldLoadTheShippedBlazeFaceManifestAndFetchAVerifiedFile() throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    ModelManifest m = store.manifest("blazeface-front-128");
    assertEquals("face-detection", m.task());
    assertEquals("input:0", m.inputs().get(0).name());
    Path file = store.resolve(m);
    assertEquals(m.sha256(), Sha256.of(file));
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(m.id(), file, 1)) {
      assertEquals(m.inputs().get(0).name(), b.inputNames().get(0));
      assertEquals(4, b.outputNames().size());
    }
  }

  @Test
  void shouldRefuseAManifestWithABadFieldNamingTheModelAndTheField() {
    String json = "{\"id\":\"my-model\",\"task\":\"x\",\"file\":\"m.onnx\",\"sha256\":\"abc\","
        + "\"source\":{\"userSupplied\":true},\"inputs\":[{\"name\":\"a\"}],"
        + "\"outputs\":[{\"name\":\"b\"}]}";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelManifest.parse(json.getBytes(StandardCharsets.UTF_8), "test.json"));
    assertTrue(e.getMessage().contains("my-model") && e.getMessage().contains("sha256"),
        e.getMessage());
  }

  @Test
  void shouldReadACalibrationTemperatureAndRefuseOneThatIsNotPositive() {
    String head = "{\"id\":\"my-model-cal-0a1b2c3d\",\"task\":\"deepfake-classification\","
        + "\"file\":\"m.onnx\",\"sha256\":\"" + "0".repeat(64) + "\","
        + "\"source\":{\"userSupplied\":true},\"inputs\":[{\"name\":\"a\"}],"
        + "\"outputs\":[{\"name\":\"prob\"}]";
    ModelManifest plain = ModelManifest.parse((head + "}").getBytes(StandardCharsets.UTF_8), "t");
    assertEquals(1.0, plain.temperature());
    ModelManifest cal = ModelManifest.parse((head + ",\"calibration\":{\"base\":\"my-model\","
        + "\"temperature\":2.5,\"method\":\"nll\",\"realFaces\":3,\"fakeFaces\":4}}")
        .getBytes(StandardCharsets.UTF_8), "t");
    assertEquals(2.5, cal.temperature());
    assertEquals("my-model", cal.calibration().base());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelManifest.parse((head + ",\"calibration\":{\"temperature\":0}}")
            .getBytes(StandardCharsets.UTF_8), "t"));
    assertTrue(e.getMessage().contains("calibration.temperature"), e.getMessage());
  }

  @Test
  void shouldRefuseAUserModelWhoseFileDoesNotMatchItsDigest(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("m.onnx"), "not the model");
    Files.writeString(dir.resolve("my-model.json"), "{\"id\":\"my-model\",\"task\":\"x\","
        + "\"file\":\"m.onnx\",\"sha256\":\"" + "0".repeat(64) + "\","
        + "\"source\":{\"userSupplied\":true},\"inputs\":[{\"name\":\"a\"}],"
        + "\"outputs\":[{\"name\":\"b\"}]}");
    ModelStore store = new ModelStore(dir.resolve("cache"), Optional.of(dir));
    InferenceException e = assertThrows(InferenceException.class,
        () -> store.resolve(store.manifest("my-model")));
    assertTrue(e.getMessage().contains("my-model") && e.getMessage().contains("sha256"),
        e.getMessage());
  }

  @Test
  void shouldListEveryShippedManifestInTheIndex() throws Exception {
    java.util.Set<String> files;
    try (var s = Files.list(Path.of("..", "models", "manifests"))) {
      files = s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - 5)).collect(java.util.stream.Collectors.toSet());
    }
    assertEquals(files, java.util.Set.copyOf(ModelStore.fromEnvironment().ids()));
    for (String id : files) {
      assertEquals(id, ModelManifest.load(id, Optional.empty()).id(), "file name is the id");
    }
  }

  @Test
  void shouldSayWhichManifestIsMissing() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelManifest.load("no-such-model", Optional.empty()));
    assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
  }
}
