package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.proto.CompressionStats;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Heavily compressed frames go to the compression-robust classifier, the rest to the main one. */
class ClassifierRouteTest {

  private static DeepfakeClassifier open(String id) throws Exception {
    Path dir = ModelStore.fromEnvironment().cacheDir().resolve("deepfake").resolve(id);
    return new DeepfakeClassifier(id, new OnnxRuntimeBackend(id, dir.resolve(id + ".onnx"), 1));
  }

  private static CompressionStats qp(float mean) {
    return CompressionStats.newBuilder().setQpAvailable(true).setQpMean(mean).build();
  }

  @Test
  void shouldSendFramesAtOrAboveTheQpThresholdToTheCompressedClassifier() throws Exception {
    try (ClassifierRoute r = new ClassifierRoute(open("caddm-smoke"),
        Optional.of(open("fst-smoke")), 35f)) {
      assertEquals("caddm-smoke", r.pick(qp(23f)).modelId());
      assertEquals("fst-smoke", r.pick(qp(35f)).modelId());
      assertEquals("fst-smoke", r.pick(qp(41.5f)).modelId());
      // no QP from the codec (VP8, AV1...): the main classifier
      assertEquals("caddm-smoke", r.pick(CompressionStats.newBuilder().setQpMean(50).build())
          .modelId());
    }
  }

  @Test
  void shouldUseTheMainClassifierForEveryFrameWhenNoCompressedOneIsInstalled() throws Exception {
    try (ClassifierRoute r = new ClassifierRoute(open("caddm-smoke"), Optional.empty(), 35f)) {
      assertSame(r.clean(), r.pick(qp(51f)));
    }
  }
}
