package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelManifest.IoSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A classifier is fed and read as its manifest says, and a manifest that does not describe what
 * detect/ feeds (the CADDM crop) and reads (P(fake) in column 1, an optional artifact map) is
 * refused at start, naming the field.
 */
class ClassifierManifestTest {
  private static final ModelManifest CADDM = ModelManifest.load("caddm-demo", Optional.empty());

  @Test
  void shouldAcceptBothShippedClassifiers() {
    assertDoesNotThrow(() -> DeepfakeClassifier.check(CADDM));
    assertDoesNotThrow(() -> DeepfakeClassifier.check(
        ModelManifest.load("fst-demo", Optional.empty())));
  }

  @Test
  void shouldRefuseAManifestDetectCannotFeedOrReadNamingTheField() {
    assertRefused(with(CADDM.task(), "rgb-0-255-nchw", CADDM.inputs(), CADDM.outputs()),
        "preprocessing 'rgb-0-255-nchw'");
    assertRefused(with("face-detection", CADDM.preprocessing(), CADDM.inputs(), CADDM.outputs()),
        "must be a deepfake-classification model");
    assertRefused(with(CADDM.task(), CADDM.preprocessing(), List.of(new IoSpec("input",
        new long[] {-1, 3, 112, 112}, "NCHW", "float32", "BGR", null)), CADDM.outputs()),
        "expected one input [N, 3, 224, 224]");
    assertRefused(with(CADDM.task(), CADDM.preprocessing(), CADDM.inputs(), List.of(
        new IoSpec("logits", new long[] {-1, 1}, "NC", "float32", null, null))),
        "expected an output 'prob' [N, 2]");
    assertRefused(with(CADDM.task(), CADDM.preprocessing(), CADDM.inputs(), List.of(
        new IoSpec("prob", new long[] {-1, 2}, "NC", "float32", null, null),
        new IoSpec("artifact", new long[] {-1, 49}, "NC", "float32", null, null))),
        "output 'artifact' must be [N, rows, cols]");
  }

  @Test
  void shouldReadAClassifierWhoseOnlyOutputHasAnotherName() {
    assertDoesNotThrow(() -> DeepfakeClassifier.check(with(CADDM.task(), CADDM.preprocessing(),
        CADDM.inputs(), List.of(new IoSpec("softmax", new long[] {-1, 2}, "NC", "float32", null,
            null)))));
  }

  private static void assertRefused(ModelManifest m, String expected) {
    String message = assertThrows(IllegalArgumentException.class,
        () -> DeepfakeClassifier.check(m)).getMessage();
    assertTrue(message.contains(expected) && message.contains("caddm-demo"), message);
  }

  private static ModelManifest with(String task, String preprocessing, List<IoSpec> inputs,
      List<IoSpec> outputs) {
    return new ModelManifest(CADDM.id(), task, CADDM.file(), CADDM.sha256(), CADDM.source(),
        CADDM.licence(), preprocessing, inputs, outputs, CADDM.metrics(), CADDM.parity(),
        CADDM.calibration());
  }
}
