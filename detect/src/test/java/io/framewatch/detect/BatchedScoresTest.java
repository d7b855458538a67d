package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.frames.Similarity;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faces scored in batches get the scores they get one at a time: the shipped classifiers on real
 * crops of the cached franck frames (faces-smoke golden frames, made by `./framewatch test`),
 * each face cropped at its detected place and nudged by a few canvas pixels, so that there are
 * more crops than {@link DeepfakeClassifier#MAX_BATCH} and the last batch is a partial one.
 */
class BatchedScoresTest {
  private static final double[][] NUDGES = {{0, 0}, {3, 0}, {0, -3}, {-2, 2}, {4, 4}};

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"caddm-demo", "fst-demo"})
  void shouldScoreEveryFaceOfABatchAsItScoresAlone(String model) throws Exception {
    List<float[]> crops = realCrops();
    assertTrue(crops.size() > DeepfakeClassifier.MAX_BATCH, crops.size() + " crops");
    ModelStore store = ModelStore.fromEnvironment();
    try (DeepfakeClassifier cls = new DeepfakeClassifier(model, store.open(model,
        BackendOptions.defaults(store.cacheDir()).withThreads(1, 1)))) {
      float[] batched = cls.pFake(crops);
      assertEquals(crops.size(), batched.length);
      float spread = 0;
      for (int i = 0; i < crops.size(); i++) {
        float alone = cls.pFake(crops.get(i));
        assertEquals(alone, batched[i], 1e-5f, "crop " + i);
        spread = Math.max(spread, Math.abs(batched[i] - batched[0]));
      }
      // the crops differ, so a batch that returned one face's score for all would fail above
      assertTrue(spread > 1e-4f, "scores of different crops differ: spread " + spread);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"caddm-demo", "fst-demo"})
  void shouldGiveEachFaceItsOwnArtifactMapOnlyWhenTheModelHasOne(String model) throws Exception {
    List<float[]> crops = realCrops();
    ModelStore store = ModelStore.fromEnvironment();
    boolean declared = store.manifest(model).outputs().stream()
        .anyMatch(o -> o.name().equals(DeepfakeClassifier.ARTIFACT_OUTPUT));
    try (DeepfakeClassifier cls = new DeepfakeClassifier(model, store.open(model,
        BackendOptions.defaults(store.cacheDir()).withThreads(1, 1)))) {
      assertEquals(declared, cls.hasArtifactMap());
      assertEquals(model.equals("caddm-demo"), declared, "caddm-demo alone ships a map");
      List<DeepfakeClassifier.Score> batched = cls.score(crops);
      float spread = 0;
      for (int i = 0; i < crops.size(); i++) {
        DeepfakeClassifier.Score alone = cls.score(List.of(crops.get(i))).get(0);
        assertEquals(declared, batched.get(i).artifact().isPresent());
        if (!declared) {
          continue;
        }
        DeepfakeClassifier.ArtifactGrid a = alone.artifact().orElseThrow();
        DeepfakeClassifier.ArtifactGrid b = batched.get(i).artifact().orElseThrow();
        assertEquals(7, b.rows());
        assertEquals(7, b.cols());
        for (int k = 0; k < 49; k++) {
          assertTrue(b.cells()[k] >= 0 && b.cells()[k] <= 1, "a probability: " + b.cells()[k]);
          assertEquals(a.cells()[k], b.cells()[k], 1e-5f, "crop " + i + " cell " + k);
          spread = Math.max(spread, Math.abs(b.cells()[k]
              - batched.get(0).artifact().orElseThrow().cells()[k]));
        }
      }
      // the crops differ, so a batch that returned one face's map for all would fail above
      assertTrue(!declared || spread > 1e-4f, "maps of different crops differ: " + spread);
    }
  }

  static List<float[]> realCrops() throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    Path golden = store.cacheDir().resolve("deepfake").resolve("faces-smoke").resolve("golden");
    assertTrue(Files.isDirectory(golden), golden + " is missing: `./framewatch test` makes it"
        + " with models/deepfake/build_faces.py --smoke before running Maven");
    JsonNode frames = new ObjectMapper().readTree(golden.resolve("frames.json").toFile())
        .get("frames");
    var detector = store.manifest("blazeface-front-128");
    List<float[]> crops = new ArrayList<>();
    try (BlazeFaceDetector det = new BlazeFaceDetector(detector,
        new OnnxRuntimeBackend(detector.id(), store.resolve(detector), 1), 0.5f)) {
      for (JsonNode frame : frames) {
        RgbImage img = RgbImage.read(golden.resolve(frame.get("file").asText()));
        Face face = det.detect(img).stream().max(Comparator.comparingDouble(Face::score))
            .orElseThrow();
        Similarity s = FaceAligner.transform(face.keypoints());
        for (double[] d : NUDGES) {
          crops.add(FaceAligner.cropBgrChw(img,
              new Similarity(s.a(), s.b(), s.tx() + d[0], s.ty() + d[1])));
        }
      }
    }
    return crops;
  }
}
