package io.framewatch.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVerifierTest {
  @TempDir
  Path dir;

  private static ModelManifest manifest(String inputs, String outputs) {
    String json = "{\"id\":\"affine-test\",\"task\":\"test\",\"file\":\"affine.onnx\",\"sha256\":\""
        + "0".repeat(64) + "\",\"source\":{\"userSupplied\":true},\"inputs\":" + inputs
        + ",\"outputs\":" + outputs + "}";
    return ModelManifest.parse(json.getBytes(StandardCharsets.UTF_8), "test");
  }

  @Test
  void shouldAcceptAGraphThatMatchesItsManifest() throws Exception {
    ModelVerifier.checkGraph(manifest("[{\"name\":\"x\",\"shape\":[-1,3]}]",
        "[{\"name\":\"y\",\"shape\":[-1,2]}]"), TestGraphs.affine(dir));
  }

  @Test
  void shouldNameTheFieldWhenAnInputNameIsWrong() throws Exception {
    Path f = TestGraphs.affine(dir);
    InferenceException e = assertThrows(InferenceException.class, () -> ModelVerifier.checkGraph(
        manifest("[{\"name\":\"input\",\"shape\":[-1,3]}]", "[{\"name\":\"y\",\"shape\":[-1,2]}]"),
        f));
    assertTrue(e.getMessage().contains("affine-test") && e.getMessage().contains("inputs[0].name"),
        e.getMessage());
  }

  @Test
  void shouldNameTheFieldWhenAShapeIsWrongOrTheBatchIsNotSymbolic() throws Exception {
    Path f = TestGraphs.affine(dir);
    InferenceException wrongWidth = assertThrows(InferenceException.class,
        () -> ModelVerifier.checkGraph(manifest("[{\"name\":\"x\",\"shape\":[-1,4]}]",
            "[{\"name\":\"y\",\"shape\":[-1,2]}]"), f));
    assertTrue(wrongWidth.getMessage().contains("inputs[0].shape"), wrongWidth.getMessage());
    InferenceException fixedBatch = assertThrows(InferenceException.class,
        () -> ModelVerifier.checkGraph(manifest("[{\"name\":\"x\",\"shape\":[-1,3]}]",
            "[{\"name\":\"y\",\"shape\":[1,2]}]"), f));
    assertTrue(fixedBatch.getMessage().contains("outputs[0].shape"), fixedBatch.getMessage());
  }

  @Test
  void shouldVerifyTheShippedBlazeFaceManifestsAgainstTheirGraphs() throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    for (String id : new String[] {"blazeface-front-128", "blazeface-back-256"}) {
      ModelManifest m = store.manifest(id);
      ModelVerifier.checkGraph(m, store.resolve(m));
    }
  }
}
