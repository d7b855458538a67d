package io.framewatch.detect;

import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.Point;

/**
 * A detected face in frame pixels.
 *
 * @param xMin left edge
 * @param yMin top edge
 * @param xMax right edge
 * @param yMax bottom edge
 * @param keypoints 6 (x, y) pairs in BlazeFace order: right eye, left eye, nose tip, mouth
 *     centre, right ear, left ear
 * @param score detector confidence in [0, 1]
 */
public record Face(float xMin, float yMin, float xMax, float yMax, float[] keypoints, float score) {
  /** Number of keypoints BlazeFace predicts. */
  public static final int KEYPOINTS = 6;

  /** Checks the keypoint count. */
  public Face {
    if (keypoints.length != 2 * KEYPOINTS) {
      throw new IllegalArgumentException("a face has 6 keypoints, got " + keypoints.length / 2);
    }
  }

  /** X of keypoint {@code k}. */
  public float kx(int k) {
    return keypoints[2 * k];
  }

  /** Y of keypoint {@code k}. */
  public float ky(int k) {
    return keypoints[2 * k + 1];
  }

  /** Box area in square pixels. */
  public float area() {
    return Math.max(0, xMax - xMin) * Math.max(0, yMax - yMin);
  }

  /** Intersection over union of two boxes. */
  public float iou(Face o) {
    float ix = Math.max(0, Math.min(xMax, o.xMax) - Math.max(xMin, o.xMin));
    float iy = Math.max(0, Math.min(yMax, o.yMax) - Math.max(yMin, o.yMin));
    float inter = ix * iy;
    float union = area() + o.area() - inter;
    return union <= 0 ? 0 : inter / union;
  }

  /** The contract form of this face. */
  public FaceDetection toProto() {
    FaceDetection.Builder b = FaceDetection.newBuilder()
        .setXMin(xMin).setYMin(yMin).setXMax(xMax).setYMax(yMax).setScore(score);
    for (int k = 0; k < KEYPOINTS; k++) {
      b.addKeypoints(Point.newBuilder().setX(kx(k)).setY(ky(k)));
    }
    return b.build();
  }
}
