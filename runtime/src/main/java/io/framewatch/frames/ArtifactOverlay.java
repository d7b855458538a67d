package io.framewatch.frames;

import io.framewatch.proto.ArtifactBox;
import io.framewatch.proto.ArtifactMap;

/**
 * Draws a face's artifact map ({@code Detection.artifact_map}) onto its crop, for evidence images:
 * each cell tinted red in proportion to its artifact probability (at most {@link #MAX_TINT} of red
 * over the pixel, so the face stays visible), then each box outlined in yellow, {@link #LINE}
 * pixels wide, the best box last so that it is on top. The map's coordinates are the 224x224
 * crop's; an image of another size is drawn on at scale. Pure: returns a new image.
 */
public final class ArtifactOverlay {
  /** Red mixed into a cell of probability 1. */
  public static final float MAX_TINT = 0.5f;
  /** Box outline width in pixels of a 224-pixel crop. */
  public static final int LINE = 2;
  private static final float CROP = 224f;
  private static final int[] RED = {255, 0, 0};
  private static final int[] YELLOW = {255, 230, 0};

  /**
   * P(fake) from which a face's map is drawn as evidence when its model has no alert thresholds
   * (with thresholds: from the raise threshold, the sink's rule). Below it the map is not shown,
   * because the map marks a face's usual blend region on real faces too
   * (docs/models/caddm-demo.md) and would read as an accusation.
   */
  public static final float SHOWN_FROM = 0.5f;

  private ArtifactOverlay() {}

  /** Whether {@code d}'s artifact map is drawn: it has one and its P(fake) is at least {@code from}. */
  public static boolean shown(io.framewatch.proto.Detection d, double from) {
    return d.hasArtifactMap() && d.getArtifactMap().getCellsCount() > 0
        && d.getResultCase() == io.framewatch.proto.Detection.ResultCase.P_FAKE
        && d.getPFake() >= from;
  }

  /** The crop with the map drawn over it; the crop itself is not changed. */
  public static RgbImage draw(RgbImage crop, ArtifactMap map) {
    int w = crop.width();
    int h = crop.height();
    byte[] out = crop.rgb().clone();
    int rows = map.getRows();
    int cols = map.getCols();
    if (rows > 0 && cols > 0 && map.getCellsCount() == rows * cols) {
      for (int y = 0; y < h; y++) {
        int r = Math.min(rows - 1, y * rows / h);
        for (int x = 0; x < w; x++) {
          int c = Math.min(cols - 1, x * cols / w);
          float p = Math.max(0f, Math.min(1f, map.getCells(r * cols + c)));
          mix(out, (y * w + x) * 3, RED, MAX_TINT * p);
        }
      }
    }
    float sx = w / CROP;
    float sy = h / CROP;
    int line = Math.max(1, Math.round(LINE * Math.min(sx, sy)));
    for (int i = map.getBoxesCount() - 1; i >= 0; i--) {
      ArtifactBox b = map.getBoxes(i);
      int x0 = clamp(Math.round(b.getXMin() * sx), w);
      int y0 = clamp(Math.round(b.getYMin() * sy), h);
      int x1 = clamp(Math.round(b.getXMax() * sx), w);
      int y1 = clamp(Math.round(b.getYMax() * sy), h);
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          boolean edge = x < x0 + line || x >= x1 - line || y < y0 + line || y >= y1 - line;
          if (edge) {
            mix(out, (y * w + x) * 3, YELLOW, 1f);
          }
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static int clamp(int v, int max) {
    return Math.max(0, Math.min(max, v));
  }

  private static void mix(byte[] rgb, int o, int[] colour, float alpha) {
    for (int c = 0; c < 3; c++) {
      float v = (rgb[o + c] & 0xff) * (1 - alpha) + colour[c] * alpha;
      rgb[o + c] = (byte) Math.round(v);
    }
  }
}
