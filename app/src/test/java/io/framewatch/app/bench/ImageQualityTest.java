package io.framewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.detect.Face;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quality figures and region choice behind {@code bench sr-faces}. */
class ImageQualityTest {
  private static final int W = 40;
  private static final int H = 30;

  private static byte[] texture(long seed) {
    Random r = new Random(seed);
    byte[] img = new byte[3 * W * H];
    for (int i = 0; i < img.length; i++) {
      img[i] = (byte) (40 + r.nextInt(170));
    }
    return img;
  }

  @Test
  void shouldGiveInfinitePsnrAndSsimOneForIdenticalImages() {
    byte[] a = texture(1);
    assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnrRgb(a, a.clone(), W, H, 3));
    assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnrY(a, a.clone(), W, H, 3));
    assertEquals(1.0, ImageQuality.ssimY(a, a.clone(), W, H, 3), 1e-12);
  }

  @Test
  void shouldGiveThePsnrOfAKnownErrorAndOnlyInsideTheShave() {
    byte[] a = texture(2);
    byte[] b = a.clone();
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ((b[i] & 0xff) + 2); // squared error 4 everywhere
    }
    assertEquals(10 * Math.log10(255.0 * 255 / 4), ImageQuality.psnrRgb(a, b, W, H, 0), 1e-9);
    // luma of a uniform +2 in R, G and B moves by 2 * (65.481 + 128.553 + 24.966) / 255
    double dy = 2 * (65.481 + 128.553 + 24.966) / 255;
    assertEquals(10 * Math.log10(255.0 * 255 / (dy * dy)), ImageQuality.psnrY(a, b, W, H, 3),
        1e-9);
    byte[] border = a.clone();
    border[0] = (byte) ((border[0] & 0xff) + 100); // pixel (0, 0): inside the shaved border
    assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnrRgb(a, border, W, H, 1));
  }

  @Test
  void shouldRankALightlyNoisyImageAboveAHeavilyNoisyOneBySsim() {
    byte[] a = texture(3);
    byte[] noisy = a.clone();
    Random r = new Random(4);
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = (byte) Math.max(0, Math.min(255, (noisy[i] & 0xff) + r.nextInt(161) - 80));
    }
    byte[] mild = a.clone();
    for (int i = 0; i < mild.length; i++) {
      mild[i] = (byte) Math.max(0, Math.min(255, (mild[i] & 0xff) + r.nextInt(5) - 2));
    }
    double sNoisy = ImageQuality.ssimY(a, noisy, W, H, 3);
    double sMild = ImageQuality.ssimY(a, mild, W, H, 3);
    assertTrue(sMild > sNoisy && sNoisy < 0.9 && sMild > 0.95, sMild + " vs " + sNoisy);
    assertThrows(IllegalArgumentException.class, () -> ImageQuality.ssimY(a, a, W, H, 10));
  }

  @Test
  void shouldPlaceTheLowResolutionRegionAroundTheFaceInsideTheFrame() {
    // a 90 px face centred at (180, 144) of a 360x288 original: 45 px at x3 down, centred (60, 48)
    Face face = new Face(135, 99, 225, 189, new float[12], 0.9f);
    assertArrayEquals(new int[] {38, 26, 45}, SrEvidenceBench.region(face, 120, 96));
    // near the edge it is moved inside, never cut
    Face corner = new Face(0, 0, 90, 90, new float[12], 0.9f);
    assertArrayEquals(new int[] {0, 0, 45}, SrEvidenceBench.region(corner, 120, 96));
    // a face too small to enhance meaningfully
    assertNull(SrEvidenceBench.region(new Face(0, 0, 20, 20, new float[12], 0.9f), 120, 96));
  }

  @Test
  void shouldUpscaleBicubicallyToThreeTimesTheSide() {
    byte[] flat = new byte[3 * 10 * 10];
    java.util.Arrays.fill(flat, (byte) 77);
    byte[] up = SrEvidenceBench.bicubic(flat, 10);
    assertEquals(3 * 30 * 30, up.length);
    // a flat patch stays flat away from the edges
    assertEquals(77, up[3 * (15 * 30 + 15)] & 0xff);
  }
}
