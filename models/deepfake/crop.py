"""The CADDM test-time face crop, in NumPy: the Python reference that detect/'s Java FaceAligner is
tested against (golden crops and matrices), and the crop every training sample goes through.

Facts from the CADDM paper's official preprocessing (re-implemented here):
  mean face (normalised; left-of-image eye, other eye, nose tip, left mouth corner, right corner)
  times scale 0.9; canvas c = 224, face_width w = 80: r = w / (c * 0.34967);
  k = (y_eye0 * r + 0.5) * 2.42; x' = (x * r + 0.5) * c; y' = (y * r + 0.5) * c / k;
  a least-squares similarity maps the five image points onto those canvas points; bilinear warp
  with a constant 0 border. Output: BGR, float 0-255, 3x224x224 (CHW), no normalisation.

BlazeFace (what framewatch detects with) gives the mouth centre, not its corners: the corners are
placed at the mouth centre -/+ half the template's mouth width along the eye axis, exactly as
FaceAligner.fivePoints does.
"""
import numpy as np

import imgops

CANVAS = 224
FACE_WIDTH = 80
TEMPLATE_SCALE = 0.9
MEAN_FACE = np.array([[-0.17607, -0.172844], [0.1736, -0.17356], [-0.00182, 0.0357164],
                      [-0.14617, 0.20185], [0.14496, 0.19943]])
MOUTH_TO_EYE_WIDTH = (MEAN_FACE[4, 0] - MEAN_FACE[3, 0]) / (MEAN_FACE[1, 0] - MEAN_FACE[0, 0])


def template(face_width=FACE_WIDTH, canvas=CANVAS):
    r = face_width / (canvas * 0.34967)
    pts = MEAN_FACE * TEMPLATE_SCALE
    k = (pts[0, 1] * r + 0.5) * 2.42
    return np.stack([(pts[:, 0] * r + 0.5) * canvas, (pts[:, 1] * r + 0.5) * canvas / k], 1)


TEMPLATE = template()


def five_points(keypoints):
    """CADDM's five points from BlazeFace keypoints ([[x, y]] x >= 4: right eye, left eye, nose
    tip, mouth centre, ...), the eye further left in the image first."""
    kp = np.asarray(keypoints, np.float64).reshape(-1, 2)
    first = 0 if kp[0, 0] <= kp[1, 0] else 1
    e0, e1 = kp[first], kp[1 - first]
    half = (e1 - e0) * (MOUTH_TO_EYE_WIDTH / 2)
    return np.array([e0, e1, kp[2], kp[3] - half, kp[3] + half])


def transform(points5):
    """2x3 matrix from image pixels to canvas pixels."""
    return imgops.similarity_fit(points5, TEMPLATE)


def crop_bgr_chw(rgb, points5):
    """(crop: float32 3x224x224 BGR 0-255, matrix 2x3) of a face in an HxWx3 RGB uint8 image."""
    m = transform(points5)
    out = imgops.warp_affine(rgb, m, CANVAS, CANVAS)
    return np.ascontiguousarray(out[:, :, ::-1].transpose(2, 0, 1)), m
