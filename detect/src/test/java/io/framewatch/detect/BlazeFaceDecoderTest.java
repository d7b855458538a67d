package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelManifest.IoSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BlazeFaceDecoderTest {
  private static final float NEG = -20f;
  private static final BlazeFaceSpec FRONT_128 = spec("blazeface-front-128");
  private static final BlazeFaceSpec BACK_256 = spec("blazeface-back-256");

  private static BlazeFaceSpec spec(String id) {
    return BlazeFaceSpec.of(ModelManifest.load(id, Optional.empty()));
  }

  @Test
  void shouldReadInputSideGridsAndTensorNamesFromTheShippedManifests() {
    assertEquals(new BlazeFaceSpec("blazeface-front-128", 128, 8, 16, "input:0", "Identity:0",
        "Identity_1:0", "Identity_2:0", "Identity_3:0"), FRONT_128);
    assertEquals(256, BACK_256.inputSize());
    assertEquals(16, BACK_256.fineStride());
    assertEquals(32, BACK_256.coarseStride());
  }

  @Test
  void shouldTellOutputsApartByShapeWhateverTheirOrderAndNames() {
    ModelManifest m = ModelManifest.load("blazeface-front-128", Optional.empty());
    List<IoSpec> renamed = new ArrayList<>();
    for (IoSpec o : m.outputs()) {
      renamed.add(0, new IoSpec("re_" + o.name(), o.shape(), o.layout(), o.dtype(), null, null));
    }
    BlazeFaceSpec s = BlazeFaceSpec.of(with(m, m.preprocessing(), m.inputs(), renamed));
    assertEquals("re_Identity:0", s.fineScores());
    assertEquals("re_Identity_3:0", s.coarseBoxes());
  }

  @Test
  void shouldRefuseAManifestThatIsNotABlazeFaceModelNamingWhatDoesNotFit() {
    ModelManifest m = ModelManifest.load("blazeface-front-128", Optional.empty());
    String pre = assertThrows(IllegalArgumentException.class, () -> BlazeFaceSpec.of(
        with(m, "caddm-crop-bgr-0-255", m.inputs(), m.outputs()))).getMessage();
    assertTrue(pre.contains("preprocessing 'caddm-crop-bgr-0-255'"), pre);
    String out = assertThrows(IllegalArgumentException.class, () -> BlazeFaceSpec.of(
        with(m, m.preprocessing(), m.inputs(), m.outputs().subList(0, 3)))).getMessage();
    assertTrue(out.contains("no output of shape [1, 384, 16]"), out);
    String in = assertThrows(IllegalArgumentException.class, () -> BlazeFaceSpec.of(
        with(m, m.preprocessing(), List.of(new IoSpec("x", new long[] {1, 3, 128, 128}, "NCHW",
            "float32", "RGB", null)), m.outputs()))).getMessage();
    assertTrue(in.contains("expected one NHWC input"), in);
    String task = assertThrows(IllegalArgumentException.class, () -> BlazeFaceSpec.of(
        ModelManifest.load("caddm-demo", Optional.empty()))).getMessage();
    assertTrue(task.contains("must be a face-detection model"), task);
  }

  private static ModelManifest with(ModelManifest m, String preprocessing, List<IoSpec> inputs,
      List<IoSpec> outputs) {
    return new ModelManifest(m.id(), m.task(), m.file(), m.sha256(), m.source(), m.licence(),
        preprocessing, inputs, outputs, m.metrics(), m.parity(), m.calibration());
  }

  @Test
  void shouldGenerate896AnchorsWithFineGridFirst() {
    float[] a = FRONT_128.anchorCentres();
    assertEquals(2 * 896, a.length);
    // fine grid: 16x16 cells of 8 px, two anchors per cell
    assertEquals(0.5f / 16, a[0], 1e-6);
    assertEquals(0.5f / 16, a[1], 1e-6);
    assertEquals(a[0], a[2], 1e-6);
    assertEquals(1.5f / 16, a[4], 1e-6);
    // first coarse anchor: 8x8 cells of 16 px
    assertEquals(0.5f / 8, a[2 * 512], 1e-6);
    assertEquals(0.5f / 8, a[2 * 512 + 1], 1e-6);
    // last anchor sits in the bottom-right coarse cell
    assertEquals(7.5f / 8, a[a.length - 2], 1e-6);
    assertEquals(7.5f / 8, a[a.length - 1], 1e-6);
    assertEquals(2 * 896, BACK_256.anchorCentres().length);
  }

  @Test
  void shouldDecodeRegressorsRelativeToTheirAnchor() {
    float[][] out = empty();
    // coarse anchor of cell (x=3, y=2), third of six: centre ((3.5)/8, (2.5)/8)
    int coarse = (2 * 8 + 3) * 6 + 2;
    out[2][coarse] = 5f;
    int o = coarse * 16;
    out[3][o] = 6.4f; // +0.05 of the input in x
    out[3][o + 1] = -12.8f; // -0.1 in y
    out[3][o + 2] = 32f; // width 0.25
    out[3][o + 3] = 25.6f; // height 0.2
    out[3][o + 4] = 1.28f; // keypoint 0: +0.01 in x
    out[3][o + 5] = 2.56f; // +0.02 in y
    List<Face> faces = new BlazeFaceDecoder(FRONT_128, 0.5f, 0.3f)
        .decode(out[0], out[1], out[2], out[3]);
    assertEquals(1, faces.size());
    Face f = faces.get(0);
    float cx = 3.5f / 8 + 0.05f;
    float cy = 2.5f / 8 - 0.1f;
    assertEquals(cx - 0.125f, f.xMin(), 1e-5);
    assertEquals(cx + 0.125f, f.xMax(), 1e-5);
    assertEquals(cy - 0.1f, f.yMin(), 1e-5);
    assertEquals(cy + 0.1f, f.yMax(), 1e-5);
    assertEquals(3.5f / 8 + 0.01f, f.kx(0), 1e-5);
    assertEquals(2.5f / 8 + 0.02f, f.ky(0), 1e-5);
    assertEquals(3.5f / 8, f.kx(1), 1e-5);
    assertEquals(1 / (1 + Math.exp(-5)), f.score(), 1e-5);
  }

  @Test
  void shouldDropCandidatesBelowTheScoreThreshold() {
    float[][] out = empty();
    out[0][10] = 0.1f; // sigmoid 0.525
    out[0][20] = -0.1f; // sigmoid 0.475
    List<Face> faces = new BlazeFaceDecoder(FRONT_128, 0.5f, 0.3f)
        .decode(out[0], out[1], out[2], out[3]);
    assertEquals(1, faces.size());
  }

  @Test
  void shouldBlendOverlappingCandidatesWeightedByScoreAndKeepSeparateFaces() {
    Face a = face(0.10f, 0.10f, 0.30f, 0.30f, 0.9f);
    Face b = face(0.12f, 0.10f, 0.32f, 0.30f, 0.6f); // IoU with a ~ 0.82
    Face far = face(0.60f, 0.60f, 0.80f, 0.80f, 0.7f);
    List<Face> out = BlazeFaceDecoder.weightedNms(List.of(b, far, a), 0.3f);
    assertEquals(2, out.size());
    Face merged = out.get(0);
    assertEquals(0.9f, merged.score(), 1e-6);
    assertEquals((0.9f * 0.10f + 0.6f * 0.12f) / 1.5f, merged.xMin(), 1e-6);
    assertEquals((0.9f * 0.30f + 0.6f * 0.32f) / 1.5f, merged.xMax(), 1e-6);
    assertEquals(far.xMin(), out.get(1).xMin(), 0f);
    assertEquals(far.score(), out.get(1).score(), 0f);
  }

  @Test
  void shouldRejectOutputsThatDoNotMatchTheAnchorLayout() {
    BlazeFaceDecoder d = new BlazeFaceDecoder(FRONT_128, 0.5f, 0.3f);
    assertThrows(IllegalArgumentException.class,
        () -> d.decode(new float[500], new float[500 * 16], new float[384], new float[384 * 16]));
  }

  private static Face face(float x0, float y0, float x1, float y1, float score) {
    return new Face(x0, y0, x1, y1, new float[12], score);
  }

  private static float[][] empty() {
    float[] fs = new float[512];
    float[] cs = new float[384];
    Arrays.fill(fs, NEG);
    Arrays.fill(cs, NEG);
    return new float[][] {fs, new float[512 * 16], cs, new float[384 * 16]};
  }
}
