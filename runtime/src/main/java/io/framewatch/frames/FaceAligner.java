package io.framewatch.frames;

import io.framewatch.proto.FaceDetection;


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
   *
   * @param kp BlazeFace keypoints as (x, y) pairs: right eye, left eye, nose tip, mouth centre
   *     (further pairs, the ears, are ignored)
   */
  public static double[] fivePoints(float[] kp) {
    if (kp.length < 8) {
      throw new IllegalArgumentException("a face needs at least 4 keypoints to align, got "
          + kp.length / 2);
    }
    int first = kp[0] <= kp[2] ? 0 : 1;
    int second = 1 - first;
    double ex0 = kp[2 * first];
    double ey0 = kp[2 * first + 1];
    double ex1 = kp[2 * second];
    double ey1 = kp[2 * second + 1];
    double half = MOUTH_TO_EYE_WIDTH / 2;
    double mx = kp[6];
    double my = kp[7];
    double vx = (ex1 - ex0) * half;
    double vy = (ey1 - ey0) * half;
    return new double[] {ex0, ey0, ex1, ey1, kp[4], kp[5], mx - vx, my - vy, mx + vx, my + vy};
  }

  /** The transform from image pixels to canvas pixels for a face's BlazeFace keypoints. */
  public static Similarity transform(float[] keypoints) {
    return Similarity.fit(fivePoints(keypoints), TEMPLATE);
  }

  /**
   * The transform for a face as detect/ published it: the same keypoints, so the same crop (the
   * contract carries them as floats, exactly as detect/ computed them).
   */
  public static Similarity transform(FaceDetection face) {
    float[] kp = new float[2 * face.getKeypointsCount()];
    for (int i = 0; i < face.getKeypointsCount(); i++) {
      kp[2 * i] = face.getKeypoints(i).getX();
      kp[2 * i + 1] = face.getKeypoints(i).getY();
    }
    return transform(kp);
  }

  /**
   * Warps the face into the canvas.
   *
   * @return {@code 3 x 224 x 224} floats: B plane, G plane, R plane, values 0-255
   */
  public static float[] cropBgrChw(RgbImage image, Similarity toCanvas) {
    int plane = CANVAS * CANVAS;
    float[] out = new float[3 * plane];
    warp(image, toCanvas, out, 2 * plane, plane, 0);
    return out;
  }

  /**
   * The same crop as {@link #cropBgrChw} as an 8-bit RGB image (each value rounded to the nearest
   * integer): what the classifier saw, to within that rounding, for people and lossless files.
   */
  public static RgbImage cropRgb(RgbImage image, Similarity toCanvas) {
    int plane = CANVAS * CANVAS;
    float[] planes = new float[3 * plane];
    warp(image, toCanvas, planes, 0, plane, 2 * plane);
    byte[] rgb = new byte[3 * plane];
    for (int o = 0; o < plane; o++) {
      for (int c = 0; c < 3; c++) {
        rgb[3 * o + c] = (byte) Math.min(255, Math.round(planes[c * plane + o]));
      }
    }
    return new RgbImage(CANVAS, CANVAS, rgb);
  }

  /**
   * Bilinear warp of the canvas (the values {@link RgbImage#sample} gives at each canvas pixel's
   * source point, the same arithmetic) into three planes of {@code out} starting at the R, G and
   * B offsets. The source point and weights are found once per pixel, not once per channel.
   */
  private static void warp(RgbImage image, Similarity toCanvas, float[] out, int rOff, int gOff,
      int bOff) {
    Similarity back = toCanvas.inverse();
    double a = back.a();
    double b = back.b();
    double tx = back.tx();
    double ty = back.ty();
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    int row = 3 * w;
    for (int v = 0; v < CANVAS; v++) {
      for (int u = 0; u < CANVAS; u++) {
        // Similarity.apply's expressions, so the source point is bit for bit the same
        float x = (float) (a * u - b * v + tx);
        float y = (float) (b * u + a * v + ty);
        int o = v * CANVAS + u;
        // (int) is floor for the non-negative points of the fast path
        int x0 = (int) x;
        int y0 = (int) y;
        if (x < 0 || y < 0 || x0 + 1 >= w || y0 + 1 >= h) {
          out[rOff + o] = image.sample(x, y, 0);
          out[gOff + o] = image.sample(x, y, 1);
          out[bOff + o] = image.sample(x, y, 2);
          continue;
        }
        float fx = x - x0;
        float fy = y - y0;
        float gx = 1 - fx;
        float gy = 1 - fy;
        int i = (y0 * w + x0) * 3;
        int j = i + row;
        // RgbImage.sample's formula, the four neighbours read once per channel
        out[rOff + o] = gy * (gx * (rgb[i] & 0xff) + fx * (rgb[i + 3] & 0xff))
            + fy * (gx * (rgb[j] & 0xff) + fx * (rgb[j + 3] & 0xff));
        out[gOff + o] = gy * (gx * (rgb[i + 1] & 0xff) + fx * (rgb[i + 4] & 0xff))
            + fy * (gx * (rgb[j + 1] & 0xff) + fx * (rgb[j + 4] & 0xff));
        out[bOff + o] = gy * (gx * (rgb[i + 2] & 0xff) + fx * (rgb[i + 5] & 0xff))
            + fy * (gx * (rgb[j + 2] & 0xff) + fx * (rgb[j + 5] & 0xff));
      }
    }
  }
}
