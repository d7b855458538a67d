package io.framewatch.decode;

/**
 * The square region of a frame that a super-resolved face is cut from: {@link #FACTOR} times the
 * face box's longer side, centred on the box, moved (not shrunk) to lie inside the frame, shrunk
 * only when the frame's shorter side is smaller. One rule for decode's evidence bursts and for
 * {@code framewatch bench sr-faces}, which measured it (docs/models/burstnc-x3.md).
 *
 * @param x left column
 * @param y top row
 * @param side width and height
 */
public record SrRegion(int x, int y, int side) {
  /** The region around a face: this many times the face box's longer side. */
  public static final double FACTOR = 1.5;

  /**
   * The region around the box ({@code xMin}, {@code yMin}) - ({@code xMax}, {@code yMax}) given in
   * another frame's pixels, which are {@code scaleX} x {@code scaleY} of this frame's
   * ({@code width} x {@code height}).
   */
  public static SrRegion around(double xMin, double yMin, double xMax, double yMax,
      double scaleX, double scaleY, int width, int height) {
    double boxSide = Math.max((xMax - xMin) * scaleX, (yMax - yMin) * scaleY);
    int s = (int) Math.max(1, Math.min(Math.round(FACTOR * boxSide), Math.min(width, height)));
    double cx = (xMin + xMax) / 2 * scaleX;
    double cy = (yMin + yMax) / 2 * scaleY;
    int x = (int) Math.max(0, Math.min(width - s, Math.round(cx - s / 2.0)));
    int y = (int) Math.max(0, Math.min(height - s, Math.round(cy - s / 2.0)));
    return new SrRegion(x, y, s);
  }
}
