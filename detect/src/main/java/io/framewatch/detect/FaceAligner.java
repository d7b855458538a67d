package io.framewatch.detect;

import io.framewatch.frames.RgbImage;

/**
 * The CADDM test-time face crop: a similarity transform that maps five facial points onto a fixed
 * template in a 224x224 canvas, and a bilinear warp with a constant black border. The output is
 * what CADDM and FST-Matching networks take: BGR, float 0-255, NCHW, no mean/std normalisation.
 *
 * <p>CADDM uses the eye centres, the nose tip and the two mouth corners from 68-point landmarks.
 * BlazeFace gives the mouth centre instead of the corners, so the corners are approximated as the
 * mouth centre plus/minus half the template's mouth width, measured along the eye axis (the
 * template's mouth is 0.833 eye-distances wide). The crop geometry therefore differs slightly from
 * the official one around the mouth; docs/ARCHITECTURE.md records this.
 */
public final class FaceAligner {
  /** Canvas side in pixels (CADDM and FST-Matching input). */
  public static final int CANVAS = 224;

  // CADDM mean face, normalised, point order: left-of-image eye, other eye, nose tip, left-of-image
  // mouth corner, other mouth corner (facts from the paper's official preprocessing).
  private static final double[] MEAN_FACE = {
    -0.17607, -0.172844, 0.1736, -0.17356, -0.00182, 0.0357164, -0.14617, 0.20185, 0.14496, 0.19943
  };
  private static final double TEMPLATE_SCALE = 0.9;
  private static final double FACE_WIDTH = 80;
  private static final double MOUTH_TO_EYE_WIDTH =
      (MEAN_FACE[8] - MEAN_FACE[6]) / (MEAN_FACE[2] - MEAN_FACE[0]);

  private static final double[] TEMPLATE = template(FACE_WIDTH, CANVAS);

  private FaceAligner() {}

  /** The five template points in canvas pixels, {@code [x0, y0, ..., x4, y4]}. */
  public static double[] template() {
    return TEMPLATE.clone();
  }

  /**
   * CADDM's canvas placement: r = w / (c * 0.34967); k = (y_eye0 * r + 0.5) * 2.42;
   * x' = (x * r + 0.5) * c; y' = (y * r + 0.5) * c / k, on the mean face scaled by 0.9.
   */
  static double[] template(double faceWidth, int canvas) {
    double r = faceWidth / (canvas * 0.34967);
    double k = (MEAN_FACE[1] * TEMPLATE_SCALE * r + 0.5) * 2.42;
    double[] t = new double[MEAN_FACE.length];
    for (int i = 0; i < MEAN_FACE.length; i += 2) {
      t[i] = (MEAN_FACE[i] * TEMPLATE_SCALE * r + 0.5) * canvas;
      t[i + 1] = (MEAN_FACE[i + 1] * TEMPLATE_SCALE * r + 0.5) * canvas / k;
    }
    return t;
  }

  /**
   * The five CADDM points of a BlazeFace face in image pixels. The eye further left in the image
   * comes first, as in CADDM (landmarks 36-41 before 42-47).
   */
  public static double[] fivePoints(Face f) {
    int first = f.kx(0) <= f.kx(1) ? 0 : 1;
    int second = 1 - first;
    double ex0 = f.kx(first);
    double ey0 = f.ky(first);
    double ex1 = f.kx(second);
    double ey1 = f.ky(second);
    double half = MOUTH_TO_EYE_WIDTH / 2;
    double mx = f.kx(3);
    double my = f.ky(3);
    double vx = (ex1 - ex0) * half;
    double vy = (ey1 - ey0) * half;
    return new double[] {ex0, ey0, ex1, ey1, f.kx(2), f.ky(2), mx - vx, my - vy, mx + vx, my + vy};
  }

  /** The transform from image pixels to canvas pixels for a face. */
  public static Similarity transform(Face f) {
    return Similarity.fit(fivePoints(f), TEMPLATE);
  }

  /**
   * Warps the face into the canvas.
   *
   * @return {@code 3 x 224 x 224} floats: B plane, G plane, R plane, values 0-255
   */
  public static float[] cropBgrChw(RgbImage image, Similarity toCanvas) {
    Similarity back = toCanvas.inverse();
    int plane = CANVAS * CANVAS;
    float[] out = new float[3 * plane];
    for (int v = 0; v < CANVAS; v++) {
      for (int u = 0; u < CANVAS; u++) {
        double[] p = back.apply(u, v);
        int o = v * CANVAS + u;
        float x = (float) p[0];
        float y = (float) p[1];
        out[o] = image.sample(x, y, 2);
        out[plane + o] = image.sample(x, y, 1);
        out[2 * plane + o] = image.sample(x, y, 0);
      }
    }
    return out;
  }
}
