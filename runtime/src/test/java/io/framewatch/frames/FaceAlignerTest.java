package io.framewatch.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FaceAlignerTest {

  @Test
  void shouldPlaceTheTemplateAsCaddmSpecifies() {
    double[] t = FaceAligner.template();
    // r = 80 / (224 * 0.34967); k = (y_eye0 * 0.9 * r + 0.5) * 2.42
    double r = 80 / (224 * 0.34967);
    double k = (-0.172844 * 0.9 * r + 0.5) * 2.42;
    assertEquals((-0.17607 * 0.9 * r + 0.5) * 224, t[0], 1e-9);
    assertEquals((-0.172844 * 0.9 * r + 0.5) * 224 / k, t[1], 1e-9);
    assertEquals((0.14496 * 0.9 * r + 0.5) * 224, t[8], 1e-9);
    assertEquals((0.19943 * 0.9 * r + 0.5) * 224 / k, t[9], 1e-9);
    // sanity of the layout: eyes ~72 px apart at y ~92.6, mouth below the nose
    assertEquals(92.56, t[1], 0.01);
    assertTrue(t[2] - t[0] > 70 && t[2] - t[0] < 74);
    assertTrue(t[7] > t[5] && t[5] > t[1]);
  }

  @Test
  void shouldRecoverAKnownSimilarityExactly() {
    Similarity truth = new Similarity(1.7 * Math.cos(0.3), 1.7 * Math.sin(0.3), -40, 25);
    double[] src = {10, 20, 50, 22, 31, 44, 15, 60, 48, 63};
    double[] dst = new double[src.length];
    for (int i = 0; i < src.length; i += 2) {
      double[] p = truth.apply(src[i], src[i + 1]);
      dst[i] = p[0];
      dst[i + 1] = p[1];
    }
    Similarity fit = Similarity.fit(src, dst);
    assertEquals(truth.a(), fit.a(), 1e-9);
    assertEquals(truth.b(), fit.b(), 1e-9);
    assertEquals(truth.tx(), fit.tx(), 1e-9);
    assertEquals(truth.ty(), fit.ty(), 1e-9);
    double[] back = fit.inverse().apply(dst[4], dst[5]);
    assertEquals(src[4], back[0], 1e-9);
    assertEquals(src[5], back[1], 1e-9);
  }

  @Test
  void shouldMapTheEyeKeypointsOfARotatedScaledFaceOntoTheTemplateEyes() {
    // A face whose points are the template seen through a rotation of 20 degrees, scale 1.6 and
    // an offset: the fitted crop must bring its eyes back to the template eyes.
    Similarity toImage = new Similarity(1.6 * Math.cos(0.35), 1.6 * Math.sin(0.35), 300, -40);
    double[] t = FaceAligner.template();
    double[] eyeR = toImage.apply(t[0], t[1]);
    double[] eyeL = toImage.apply(t[2], t[3]);
    double[] nose = toImage.apply(t[4], t[5]);
    double[] mouth = toImage.apply((t[6] + t[8]) / 2, (t[7] + t[9]) / 2);
    float[] kp = {(float) eyeR[0], (float) eyeR[1], (float) eyeL[0], (float) eyeL[1],
        (float) nose[0], (float) nose[1], (float) mouth[0], (float) mouth[1], 0, 0, 0, 0};
    Similarity fit = FaceAligner.transform(kp);
    double[] e0 = fit.apply(kp[0], kp[1]);
    double[] e1 = fit.apply(kp[2], kp[3]);
    assertEquals(t[0], e0[0], 2.0);
    assertEquals(t[1], e0[1], 2.0);
    assertEquals(t[2], e1[0], 2.0);
    assertEquals(t[3], e1[1], 2.0);
  }

  @Test
  void shouldWarpWithBilinearSamplingAndABlackBorder() {
    // 4x1 image with a horizontal ramp in red; identity transform reads pixels back exactly
    byte[] rgb = new byte[4 * 3];
    for (int x = 0; x < 4; x++) {
      rgb[x * 3] = (byte) (x * 60);
    }
    RgbImage img = new RgbImage(4, 1, rgb);
    float[] crop = FaceAligner.cropBgrChw(img, new Similarity(1, 0, 0, 0));
    int plane = FaceAligner.CANVAS * FaceAligner.CANVAS;
    assertEquals(0f, crop[2 * plane], 0f);
    assertEquals(180f, crop[2 * plane + 3], 0f);
    assertEquals(0f, crop[2 * plane + 4], 0f); // outside the image: constant 0 border
    assertEquals(0f, crop[2 * plane + FaceAligner.CANVAS], 0f); // row 1 is outside too
    // half a pixel between x=1 and x=2
    assertEquals(90f, img.sample(1.5f, 0, 0), 1e-4);
  }

  @Test
  void shouldGiveEveryChannelExactlyTheBilinearSampleOfItsSourcePointInsideAndAtTheEdges() {
    Random rnd = new Random(7);
    byte[] rgb = new byte[97 * 61 * 3];
    rnd.nextBytes(rgb);
    RgbImage img = new RgbImage(97, 61, rgb);
    int plane = FaceAligner.CANVAS * FaceAligner.CANVAS;
    for (int t = 0; t < 20; t++) {
      // rotated, scaled and shifted so that part of the canvas falls off the image
      double angle = rnd.nextDouble() * 2 * Math.PI;
      double scale = 0.3 + rnd.nextDouble() * 3;
      Similarity toCanvas = new Similarity(scale * Math.cos(angle), scale * Math.sin(angle),
          rnd.nextDouble() * 200 - 50, rnd.nextDouble() * 200 - 50);
      Similarity back = toCanvas.inverse();
      float[] bgr = FaceAligner.cropBgrChw(img, toCanvas);
      RgbImage crop = FaceAligner.cropRgb(img, toCanvas);
      for (int v = 0; v < FaceAligner.CANVAS; v++) {
        for (int u = 0; u < FaceAligner.CANVAS; u++) {
          double[] p = back.apply(u, v);
          int o = v * FaceAligner.CANVAS + u;
          for (int c = 0; c < 3; c++) {
            float want = img.sample((float) p[0], (float) p[1], c);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(bgr[(2 - c) * plane + o]),
                "canvas " + u + "," + v + " channel " + c);
            assertEquals((byte) Math.min(255, Math.round(want)), crop.rgb()[3 * o + c]);
          }
        }
      }
    }
  }
}
