"""Face forgeries for training and for the demo's forged clip, in NumPy only.

  self_blend  a colour- and geometry-jittered copy of a face blended onto the same face through a
              random soft mask around it (the self-blended-image idea: the blend boundary and the
              colour mismatch are the artefacts, with no second identity involved);
  swap        a donor's face, aligned onto the target's five points by a similarity transform,
              colour-matched to the target inside the mask and blended through a soft mask.

Both return (forged HxWx3 uint8, blend mask HxW float32 in [0, 1]). Points are CADDM's five
points (crop.five_points) in image pixels.
"""
import numpy as np

import imgops


class Jitter:
    """The random choices of one forgery; a clip reuses one Jitter so its frames agree."""

    def __init__(self, rng):
        while True:
            self._draw(rng)
            # a forgery must change something: at least 8 grey levels of colour, 3 % of scale or
            # a visible blur (near-identity draws would be forgeries only by label)
            colour = float(np.max(np.abs((self.gain - 1) * 128 + self.bias)))
            if colour >= 8 or abs(self.scale - 1) >= 0.03 or self.blur >= 0.5:
                return

    def _draw(self, rng):
        self.mask_w = rng.uniform(0.85, 1.15)
        self.mask_h = rng.uniform(0.85, 1.15)
        self.feather = rng.uniform(0.08, 0.2)
        self.alpha = 1.0 if rng.random() < 0.5 else rng.uniform(0.6, 1.0)
        self.gain = np.array([rng.uniform(0.9, 1.1) for _ in range(3)], np.float32)
        self.bias = np.array([rng.uniform(-12, 12) for _ in range(3)], np.float32)
        self.scale = rng.uniform(0.94, 1.06)
        self.shift = (rng.uniform(-0.04, 0.04), rng.uniform(-0.04, 0.04))
        self.blur = rng.uniform(0.0, 1.0) if rng.random() < 0.5 else 0.0


def face_mask(height, width, pts, jit):
    """Soft elliptical mask over the inner face, feathered by a Gaussian."""
    e0, e1, _, m0, m1 = np.asarray(pts, np.float64)
    eye_mid, mouth_mid = (e0 + e1) / 2, (m0 + m1) / 2
    eye_dist = np.linalg.norm(e1 - e0)
    centre = (eye_mid + mouth_mid) / 2
    axis = (e1 - e0) / max(eye_dist, 1e-6)
    normal = np.array([-axis[1], axis[0]])
    a = 0.85 * eye_dist * jit.mask_w
    b = 1.35 * np.linalg.norm(mouth_mid - eye_mid) * jit.mask_h + 0.2 * eye_dist
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    dx, dy = xs - centre[0], ys - centre[1]
    u = (dx * axis[0] + dy * axis[1]) / a
    v = (dx * normal[0] + dy * normal[1]) / b
    hard = ((u * u + v * v) <= 1.0).astype(np.float32)
    return np.clip(imgops.gaussian_blur(hard, jit.feather * eye_dist), 0, 1)


def _blend(target, source, mask, alpha):
    m = (mask * alpha)[..., None]
    out = m * source.astype(np.float32) + (1 - m) * target.astype(np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def self_blend(img, pts, jit, warp=imgops.warp_affine):
    """warp: imgops.warp_affine (float32, as detect/'s aligner) or any function with its
    signature (training uses a faster one, imgops.warp_affine_fast)."""
    h, w = img.shape[:2]
    pts = np.asarray(pts, np.float64)
    eye_dist = np.linalg.norm(pts[1] - pts[0])
    c = pts.mean(0)
    s = jit.scale
    tx = c[0] - s * c[0] + jit.shift[0] * eye_dist
    ty = c[1] - s * c[1] + jit.shift[1] * eye_dist
    moved = warp(img, np.array([[s, 0, tx], [0, s, ty]]), w, h)
    src = moved * jit.gain + jit.bias
    if jit.blur > 0:
        src = imgops.gaussian_blur(src, jit.blur)
    mask = face_mask(h, w, pts, jit)
    return _blend(img, np.clip(src, 0, 255), mask, jit.alpha), mask * jit.alpha


def swap(target, target_pts, donor, donor_pts, jit):
    h, w = target.shape[:2]
    m = imgops.similarity_fit(donor_pts, target_pts)
    warped = imgops.warp_affine(donor, m, w, h)
    cover = imgops.warp_affine(np.ones(donor.shape[:2] + (1,), np.float32), m, w, h)[..., 0]
    mask = face_mask(h, w, target_pts, jit) * (cover > 0.999)
    inside = mask > 0.5
    if inside.sum() > 16:  # colour transfer: match the donor's mean and spread to the target's
        t = target.astype(np.float32)[inside]
        d = warped[inside]
        warped = (warped - d.mean(0)) / (d.std(0) + 1e-3) * t.std(0) + t.mean(0)
    return _blend(target, np.clip(warped, 0, 255), mask, jit.alpha), mask * jit.alpha
