package io.framewatch.detect;

import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelManifest.IoSpec;
import java.util.Arrays;

/**
 * How detect/ feeds and reads a BlazeFace model, taken from the model's manifest rather than
 * assumed: the input tensor and its side, the anchor layout and which output tensor holds what.
 * Both published variants have 896 anchors: a fine grid with 2 anchors per cell (512) followed by
 * a coarse grid with 6 per cell (384), each with a score-logit output ({@code [1, n, 1]}) and a
 * regressor output ({@code [1, n, 16]}: box and 6 keypoints). Outputs are told apart by their
 * declared shapes, never by their names, so a re-export that renames tensors needs only its
 * manifest.
 *
 * @param modelId manifest id of the model
 * @param inputSize square input side in pixels
 * @param fineStride stride of the fine grid
 * @param coarseStride stride of the coarse grid
 * @param input name of the {@code [1, S, S, 3]} input
 * @param fineScores name of the fine grid's score output
 * @param coarseScores name of the coarse grid's score output
 * @param fineBoxes name of the fine grid's regressor output
 * @param coarseBoxes name of the coarse grid's regressor output
 */
public record BlazeFaceSpec(String modelId, int inputSize, int fineStride, int coarseStride,
    String input, String fineScores, String coarseScores, String fineBoxes, String coarseBoxes) {
  /** The preprocessing id detect/ implements: letterbox into the square input, RGB in [-1, 1]. */
  public static final String PREPROCESSING = "blazeface-letterbox-rgb-pm1";

  static final int FINE_PER_CELL = 2;
  static final int COARSE_PER_CELL = 6;
  static final int FINE_ANCHORS = 512;
  static final int COARSE_ANCHORS = 384;
  static final int REGRESSORS = 16;

  /**
   * The spec a face-detection manifest declares.
   *
   * @throws IllegalArgumentException naming the model and what does not fit detect/'s BlazeFace
   *     contract (task, preprocessing, input layout or size, outputs)
   */
  public static BlazeFaceSpec of(ModelManifest m) {
    String id = m.id();
    m.requireKind("face-detection", PREPROCESSING, "the face detector");
    IoSpec in = m.inputs().get(0);
    long[] s = in.shape();
    if (m.inputs().size() != 1 || s == null || s.length != 4 || s[1] != s[2] || s[3] != 3
        || s[1] < 16 || s[1] % 16 != 0 || (in.layout() != null && !"NHWC".equals(in.layout()))) {
      throw new IllegalArgumentException("model " + id + ": expected one NHWC input [1, S, S, 3]"
          + " with S a multiple of 16, got " + Arrays.toString(s) + " " + in.layout());
    }
    int side = (int) s[1];
    return new BlazeFaceSpec(id, side, side / 16, side / 8, in.name(),
        output(m, FINE_ANCHORS, 1), output(m, COARSE_ANCHORS, 1),
        output(m, FINE_ANCHORS, REGRESSORS), output(m, COARSE_ANCHORS, REGRESSORS));
  }

  private static String output(ModelManifest m, int anchors, int channels) {
    String found = null;
    for (IoSpec o : m.outputs()) {
      long[] s = o.shape();
      if (s != null && s.length == 3 && s[1] == anchors && s[2] == channels) {
        if (found != null) {
          throw new IllegalArgumentException("model " + m.id() + ": two outputs of shape [1, "
              + anchors + ", " + channels + "] (" + found + ", " + o.name() + ")");
        }
        found = o.name();
      }
    }
    if (found == null) {
      throw new IllegalArgumentException("model " + m.id() + ": no output of shape [1, " + anchors
          + ", " + channels + "] (BlazeFace " + (channels == 1 ? "scores" : "box regressors")
          + " of the " + (anchors == FINE_ANCHORS ? "fine" : "coarse") + " grid)");
    }
    return found;
  }

  /**
   * Anchor centres, normalised to [0, 1], in output order: fine grid row by row with its 2 anchors
   * per cell, then the coarse grid with 6 per cell. Anchor sizes are fixed at 1 (the regressors
   * are in input pixels).
   *
   * @return {@code [x0, y0, x1, y1, ...]}, 896 anchors
   */
  public float[] anchorCentres() {
    int fine = inputSize / fineStride;
    int coarse = inputSize / coarseStride;
    float[] a = new float[2 * (fine * fine * FINE_PER_CELL + coarse * coarse * COARSE_PER_CELL)];
    int i = fill(a, 0, fine, FINE_PER_CELL);
    fill(a, i, coarse, COARSE_PER_CELL);
    return a;
  }

  private static int fill(float[] a, int i, int grid, int perCell) {
    for (int y = 0; y < grid; y++) {
      for (int x = 0; x < grid; x++) {
        for (int k = 0; k < perCell; k++) {
          a[i++] = (x + 0.5f) / grid;
          a[i++] = (y + 0.5f) / grid;
        }
      }
    }
    return i;
  }
}
