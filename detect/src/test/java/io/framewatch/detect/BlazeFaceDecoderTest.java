package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlazeFaceDecoderTest {
  private static final float NEG = -20f;

  @Test
  void shouldGenerate896AnchorsWithFineGridFirst() {
    float[] a = BlazeFaceSpec.FRONT_128.anchorCentres();
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
    assertEquals(2 * 896, BlazeFaceSpec.BACK_256.anchorCentres().length);
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
    List<Face> faces = new BlazeFaceDecoder(BlazeFaceSpec.FRONT_128, 0.5f, 0.3f)
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
    List<Face> faces = new BlazeFaceDecoder(BlazeFaceSpec.FRONT_128, 0.5f, 0.3f)
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
    BlazeFaceDecoder d = new BlazeFaceDecoder(BlazeFaceSpec.FRONT_128, 0.5f, 0.3f);
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
