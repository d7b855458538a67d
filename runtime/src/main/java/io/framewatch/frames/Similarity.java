package io.framewatch.frames;

/**
 * A 2-D similarity transform (rotation, uniform scale, translation; no reflection):
 * {@code x' = a*x - b*y + tx}, {@code y' = b*x + a*y + ty}.
 *
 * @param a scale times cos(angle)
 * @param b scale times sin(angle)
 * @param tx translation x
 * @param ty translation y
 */
public record Similarity(double a, double b, double tx, double ty) {

  /**
   * Least-squares similarity mapping {@code src} onto {@code dst} (both {@code [x0, y0, x1, ...]}),
   * the closed form of Umeyama's method restricted to proper rotations.
   */
  public static Similarity fit(double[] src, double[] dst) {
    int n = src.length / 2;
    if (n < 2 || src.length != dst.length) {
      throw new IllegalArgumentException("need the same number (>= 2) of source and target points");
    }
    double sx = 0;
    double sy = 0;
    double dx = 0;
    double dy = 0;
    for (int i = 0; i < n; i++) {
      sx += src[2 * i];
      sy += src[2 * i + 1];
      dx += dst[2 * i];
      dy += dst[2 * i + 1];
    }
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
    double norm = 0;
    double dot = 0;
    double cross = 0;
    for (int i = 0; i < n; i++) {
      double px = src[2 * i] - sx;
      double py = src[2 * i + 1] - sy;
      double qx = dst[2 * i] - dx;
      double qy = dst[2 * i + 1] - dy;
      norm += px * px + py * py;
      dot += px * qx + py * qy;
      cross += px * qy - py * qx;
    }
    if (norm == 0) {
      throw new IllegalArgumentException("source points are all identical");
    }
    double a = dot / norm;
    double b = cross / norm;
    return new Similarity(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
  }

  /** Maps a point: returns {@code [x', y']}. */
  public double[] apply(double x, double y) {
    return new double[] {a * x - b * y + tx, b * x + a * y + ty};
  }

  /** The inverse transform. */
  public Similarity inverse() {
    double d = a * a + b * b;
    double ia = a / d;
    double ib = -b / d;
    return new Similarity(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
  }

  /** Uniform scale factor. */
  public double scale() {
    return Math.hypot(a, b);
  }
}
