package io.framewatch.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns BlazeFace's raw outputs into faces: sigmoid scores, anchor-relative regressors to boxes
 * and keypoints, then weighted non-maximum suppression (MediaPipe's blending NMS: overlapping
 * candidates are averaged by score instead of discarded).
 */
public final class BlazeFaceDecoder {
  /** Values per anchor in the regressor outputs: box centre x/y, width, height, 6 keypoints. */
  static final int VALUES = 4 + 2 * Face.KEYPOINTS;
  /** MediaPipe clips logits to this before the sigmoid. */
  private static final float LOGIT_CLIP = 100f;

  private final BlazeFaceSpec spec;
  private final float[] anchors;
  private final float minScore;
  private final float nmsIou;

  /**
   * @param spec anchor layout of the model
   * @param minScore minimum face probability to keep a candidate
   * @param nmsIou IoU above which candidates are merged
   */
  public BlazeFaceDecoder(BlazeFaceSpec spec, float minScore, float nmsIou) {
    this.spec = spec;
    this.anchors = spec.anchorCentres();
    this.minScore = minScore;
    this.nmsIou = nmsIou;
  }

  /**
   * Decodes one image's outputs.
   *
   * @param fineScores logits of the fine grid (512)
   * @param fineBoxes regressors of the fine grid (512 x 16)
   * @param coarseScores logits of the coarse grid (384)
   * @param coarseBoxes regressors of the coarse grid (384 x 16)
   * @return faces in normalised input coordinates ([0, 1] over the square input), best first
   */
  public List<Face> decode(
      float[] fineScores, float[] fineBoxes, float[] coarseScores, float[] coarseBoxes) {
    int fine = fineScores.length;
    int total = anchors.length / 2;
    if (fine + coarseScores.length != total
        || fineBoxes.length != fine * VALUES
        || coarseBoxes.length != coarseScores.length * VALUES) {
      throw new IllegalArgumentException("BlazeFace outputs do not match " + total + " anchors of "
          + spec.modelId() + ": scores " + fine + "+" + coarseScores.length);
    }
    List<Face> candidates = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      boolean isFine = i < fine;
      float logit = isFine ? fineScores[i] : coarseScores[i - fine];
      float score = sigmoid(logit);
      if (score < minScore) {
        continue;
      }
      float[] raw = isFine ? fineBoxes : coarseBoxes;
      int o = (isFine ? i : i - fine) * VALUES;
      candidates.add(toFace(raw, o, anchors[2 * i], anchors[2 * i + 1], score));
    }
    return weightedNms(candidates, nmsIou);
  }

  private Face toFace(float[] raw, int o, float ax, float ay, float score) {
    float s = spec.inputSize();
    float cx = raw[o] / s + ax;
    float cy = raw[o + 1] / s + ay;
    float w = raw[o + 2] / s;
    float h = raw[o + 3] / s;
    float[] kp = new float[2 * Face.KEYPOINTS];
    for (int k = 0; k < Face.KEYPOINTS; k++) {
      kp[2 * k] = raw[o + 4 + 2 * k] / s + ax;
      kp[2 * k + 1] = raw[o + 5 + 2 * k] / s + ay;
    }
    return new Face(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, kp, score);
  }

  static float sigmoid(float logit) {
    float x = Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, logit));
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }

  /**
   * Weighted NMS: take the best remaining candidate, average it with every candidate overlapping
   * it by more than {@code iou} (weights = scores), keep the best score, repeat.
   */
  static List<Face> weightedNms(List<Face> candidates, float iou) {
    List<Face> rest = new ArrayList<>(candidates);
    rest.sort(Comparator.comparingDouble(Face::score).reversed());
    List<Face> out = new ArrayList<>();
    while (!rest.isEmpty()) {
      Face top = rest.get(0);
      List<Face> cluster = new ArrayList<>();
      List<Face> keep = new ArrayList<>();
      for (Face f : rest) {
        (f == top || top.iou(f) > iou ? cluster : keep).add(f);
      }
      out.add(blend(cluster, top.score()));
      rest = keep;
    }
    return out;
  }

  private static Face blend(List<Face> cluster, float score) {
    double wsum = 0;
    double x0 = 0;
    double y0 = 0;
    double x1 = 0;
    double y1 = 0;
    double[] kp = new double[2 * Face.KEYPOINTS];
    for (Face f : cluster) {
      double w = f.score();
      wsum += w;
      x0 += w * f.xMin();
      y0 += w * f.yMin();
      x1 += w * f.xMax();
      y1 += w * f.yMax();
      for (int j = 0; j < kp.length; j++) {
        kp[j] += w * f.keypoints()[j];
      }
    }
    float[] k = new float[kp.length];
    for (int j = 0; j < kp.length; j++) {
      k[j] = (float) (kp[j] / wsum);
    }
    return new Face((float) (x0 / wsum), (float) (y0 / wsum), (float) (x1 / wsum),
        (float) (y1 / wsum), k, score);
  }
}
