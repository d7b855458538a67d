package io.framewatch.detect;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.Similarity;
import io.framewatch.proto.ArtifactBox;
import io.framewatch.proto.ArtifactMap;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;

/**
 * Decodes a classifier's per-cell artifact map (caddm-demo's {@code artifact} output, {@code [N, 7,
 * 7]} probabilities over the 224x224 crop) into boxes: each 4-connected group of cells at or above
 * {@link #THRESHOLD} becomes the box around its cells, scored by its highest cell; the best
 * {@link #TOP} are kept, best first (equal scores: the group met first row by row). The same rule
 * as {@code models/deepfake/artifact_map.py decode()}, which measured the boxes; the tests of both
 * pin the same cases.
 *
 * <p>Each box is also given in frame pixels: its corners mapped back through the inverse of the
 * crop's similarity transform ({@link FaceAligner#transform}), and the axis-aligned box around
 * them (the crop may be rotated against the frame).
 */
public final class ArtifactMaps {
  /** A cell is an artifact cell when its probability reaches this. */
  public static final float THRESHOLD = 0.5f;
  /** Boxes kept per face. */
  public static final int TOP = 3;

  private ArtifactMaps() {}

  /**
   * The map of one face.
   *
   * @param cells {@code rows * cols} probabilities, row by row
   * @param toCanvas the transform the face's crop was made with (frame to crop pixels)
   */
  public static ArtifactMap decode(float[] cells, int rows, int cols, Similarity toCanvas) {
    if (cells.length != rows * cols) {
      throw new IllegalArgumentException("artifact map of " + cells.length + " cells, expected "
          + rows + " x " + cols);
    }
    ArtifactMap.Builder map = ArtifactMap.newBuilder().setRows(rows).setCols(cols);
    for (float c : cells) {
      map.addCells(c);
    }
    Similarity back = toCanvas.inverse();
    for (ArtifactBox.Builder box : boxes(cells, rows, cols)) {
      double[][] corners = {
        back.apply(box.getXMin(), box.getYMin()), back.apply(box.getXMax(), box.getYMin()),
        back.apply(box.getXMin(), box.getYMax()), back.apply(box.getXMax(), box.getYMax())
      };
      double x0 = Double.MAX_VALUE;
      double y0 = Double.MAX_VALUE;
      double x1 = -Double.MAX_VALUE;
      double y1 = -Double.MAX_VALUE;
      for (double[] p : corners) {
        x0 = Math.min(x0, p[0]);
        y0 = Math.min(y0, p[1]);
        x1 = Math.max(x1, p[0]);
        y1 = Math.max(y1, p[1]);
      }
      map.addBoxes(box.setFrameXMin((float) x0).setFrameYMin((float) y0)
          .setFrameXMax((float) x1).setFrameYMax((float) y1));
    }
    return map.build();
  }

  /** The boxes of a map in crop pixels (0-224), best first, at most {@link #TOP}. */
  static List<ArtifactBox.Builder> boxes(float[] cells, int rows, int cols) {
    boolean[] seen = new boolean[cells.length];
    double cw = (double) FaceAligner.CANVAS / cols;
    double ch = (double) FaceAligner.CANVAS / rows;
    List<ArtifactBox.Builder> found = new ArrayList<>();
    for (int start = 0; start < cells.length; start++) {
      if (seen[start] || cells[start] < THRESHOLD) {
        continue;
      }
      int r0 = rows;
      int c0 = cols;
      int r1 = -1;
      int c1 = -1;
      float best = 0;
      ArrayDeque<Integer> stack = new ArrayDeque<>();
      stack.push(start);
      seen[start] = true;
      while (!stack.isEmpty()) {
        int i = stack.pop();
        int r = i / cols;
        int c = i % cols;
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
        best = Math.max(best, cells[i]);
        int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
        for (int[] n : next) {
          int j = n[0] * cols + n[1];
          if (n[0] >= 0 && n[0] < rows && n[1] >= 0 && n[1] < cols && !seen[j]
              && cells[j] >= THRESHOLD) {
            seen[j] = true;
            stack.push(j);
          }
        }
      }
      found.add(ArtifactBox.newBuilder().setXMin((float) (c0 * cw)).setYMin((float) (r0 * ch))
          .setXMax((float) ((c1 + 1) * cw)).setYMax((float) ((r1 + 1) * ch)).setScore(best));
    }
    found.sort(Comparator.comparingDouble(b -> -b.getScore())); // stable: raster order on ties
    return found.subList(0, Math.min(TOP, found.size()));
  }
}
