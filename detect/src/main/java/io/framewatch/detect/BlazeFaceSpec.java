package io.framewatch.detect;

/**
 * Anchor layout of a BlazeFace model. Both published variants have 896 anchors: a fine grid with 2
 * anchors per cell (512) followed by a coarse grid with 6 per cell (384), matching the model's two
 * output pairs.
 *
 * @param modelId manifest id of the model
 * @param inputSize square input side in pixels
 * @param fineStride stride of the fine grid
 * @param coarseStride stride of the coarse grid
 */
public record BlazeFaceSpec(String modelId, int inputSize, int fineStride, int coarseStride) {
  /** Short-range model, 128x128 input, strides 8 and 16. */
  public static final BlazeFaceSpec FRONT_128 = new BlazeFaceSpec("blazeface-front-128", 128, 8, 16);
  /** Full-range ("back camera") model, 256x256 input, strides 16 and 32. */
  public static final BlazeFaceSpec BACK_256 = new BlazeFaceSpec("blazeface-back-256", 256, 16, 32);

  static final int FINE_PER_CELL = 2;
  static final int COARSE_PER_CELL = 6;

  /** The spec for a manifest id. */
  public static BlazeFaceSpec forModel(String id) {
    if (FRONT_128.modelId.equals(id)) {
      return FRONT_128;
    }
    if (BACK_256.modelId.equals(id)) {
      return BACK_256;
    }
    throw new IllegalArgumentException("unknown face detector '" + id
        + "'; expected " + FRONT_128.modelId + " or " + BACK_256.modelId);
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
