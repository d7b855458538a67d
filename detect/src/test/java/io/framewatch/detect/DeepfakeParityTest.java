package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.frames.Similarity;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java pipeline against the Python reference on the same real frames (held-out franck frames
 * written by models/deepfake/build_faces.py --smoke; classifiers by train_detector.py --smoke,
 * both run by `./framewatch test` before Maven): BlazeFace finds the face, FaceAligner crops it
 * and ONNX Runtime classifies it; the crop may differ from the Python reference crop by at most
 * 1 (0-255) and P(fake) from PyTorch's by at most 1e-3. The shipped demo detectors are held to
 * the same bound: resolved through their manifests, scored on the same frames, against the P(fake)
 * their training run wrote (committed as golden/ID/parity.json).
 */
class DeepfakeParityTest {
  private static final int PLANE = 3 * FaceAligner.CANVAS * FaceAligner.CANVAS;

  private static Path cache() {
    return ModelStore.fromEnvironment().cacheDir().resolve("deepfake");
  }

  private static float[] readFloats(Path f) throws Exception {
    return Tensor.littleEndianFloats(Files.readAllBytes(f));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"caddm-smoke", "fst-smoke"})
  void shouldCropAndScoreRealFramesAsThePythonReferenceDoes(String model) throws Exception {
    Path onnx = cache().resolve(model).resolve(model + ".onnx");
    assertTrue(Files.isRegularFile(onnx), onnx + " is missing: `./framewatch test` makes it"
        + " with models/deepfake/train_detector.py --smoke before running Maven");
    JsonNode pFake = new ObjectMapper().readTree(cache().resolve(model).resolve("parity.json")
        .toFile()).get("p_fake");
    check(model, () -> new OnnxRuntimeBackend(model, onnx, 1), pFake);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"caddm-demo", "fst-demo"})
  void shouldScoreRealFramesWithTheShippedDetectorsAsTheirTrainingRunDid(String model)
      throws Exception {
    JsonNode pFake;
    try (var in = DeepfakeParityTest.class.getResourceAsStream("/golden/" + model
        + "/parity.json")) {
      assertTrue(in != null, "golden/" + model + "/parity.json is not on the test classpath");
      pFake = new ObjectMapper().readTree(in).get("p_fake");
    }
    ModelStore store = ModelStore.fromEnvironment();
    check(model, () -> store.open(model,
        BackendOptions.defaults(store.cacheDir()).withThreads(1, 1)), pFake);
  }

  /** Opens the classifier's backend inside the test's try-with-resources. */
  private interface Opener {
    InferenceBackend open() throws Exception;
  }

  private static void check(String model, Opener backend, JsonNode pFake)
      throws Exception {
    Path golden = cache().resolve("faces-smoke").resolve("golden");
    JsonNode frames = new ObjectMapper().readTree(golden.resolve("frames.json").toFile())
        .get("frames");
    float[] crops = readFloats(golden.resolve("crops.bin"));
    assertTrue(frames.size() >= 1, "no golden frames");
    assertEquals(frames.size() * PLANE, crops.length);
    assertEquals(frames.size(), pFake.size(), "one reference P(fake) per golden frame");
    ModelStore store = ModelStore.fromEnvironment();
    var detector = store.manifest("blazeface-front-128");
    try (BlazeFaceDetector det = new BlazeFaceDetector(detector,
            new OnnxRuntimeBackend(detector.id(), store.resolve(detector), 1), 0.5f);
        DeepfakeClassifier cls = new DeepfakeClassifier(model, backend.open())) {
      float maxCrop = 0;
      float maxP = 0;
      for (int i = 0; i < frames.size(); i++) {
        JsonNode frame = frames.get(i);
        RgbImage img = RgbImage.read(golden.resolve(frame.get("file").asText()));
        List<Face> faces = det.detect(img);
        Face face = faces.stream().max(Comparator.comparingDouble(Face::score)).orElseThrow();
        // the same five points the reference cropped at
        double[] pts = FaceAligner.fivePoints(face.keypoints());
        for (int k = 0; k < 10; k++) {
          assertEquals(frame.get("points").get(k / 2).get(k % 2).asDouble(), pts[k], 1e-3,
              "frame " + i + " point " + k);
        }
        Similarity s = FaceAligner.transform(face.keypoints());
        JsonNode m = frame.get("matrix");
        assertEquals(m.get(0).get(0).asDouble(), s.a(), 1e-6);
        assertEquals(m.get(1).get(0).asDouble(), s.b(), 1e-6);
        assertEquals(m.get(0).get(2).asDouble(), s.tx(), 1e-3);
        assertEquals(m.get(1).get(2).asDouble(), s.ty(), 1e-3);
        float[] crop = FaceAligner.cropBgrChw(img, s);
        for (int j = 0; j < PLANE; j++) {
          maxCrop = Math.max(maxCrop, Math.abs(crop[j] - crops[i * PLANE + j]));
        }
        maxP = Math.max(maxP, Math.abs(cls.pFake(crop) - (float) pFake.get(i).asDouble()));
      }
      System.out.printf("%s: max crop difference %.6f, max |dP| %.2e over %d frames%n", model,
          maxCrop, maxP, frames.size());
      assertTrue(maxCrop <= 1f, "max crop difference " + maxCrop + " (0-255)");
      assertTrue(maxP <= 1e-3f, "max |P(fake) Java - PyTorch| = " + maxP);
    }
  }
}
