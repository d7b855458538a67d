"""Image operations in NumPy only (no torch), so that the forged demo clip can be built on a machine
that has python3-numpy and python3-pil but no PyTorch.

Coordinates: integer coordinates are pixel centres (OpenCV's convention, and detect/'s RgbImage).
Images are HxWx3 uint8 or float arrays.
"""
import numpy as np


def similarity_fit(src, dst):
    """Least-squares similarity (rotation, uniform scale, translation; no reflection) mapping
    src points onto dst points (both Nx2). Returns the 2x3 matrix [[a, -b, tx], [b, a, ty]]."""
    src = np.asarray(src, np.float64).reshape(-1, 2)
    dst = np.asarray(dst, np.float64).reshape(-1, 2)
    ms, md = src.mean(0), dst.mean(0)
    p, q = src - ms, dst - md
    norm = (p ** 2).sum()
    if norm == 0:
        raise ValueError("source points are all identical")
    a = (p * q).sum() / norm
    b = (p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]).sum() / norm
    tx = md[0] - (a * ms[0] - b * ms[1])
    ty = md[1] - (b * ms[0] + a * ms[1])
    return np.array([[a, -b, tx], [b, a, ty]])


def invert(m):
    """Inverse of a 2x3 affine matrix."""
    full = np.vstack([m, [0.0, 0.0, 1.0]])
    return np.linalg.inv(full)[:2]


def apply(m, pts):
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    return pts @ m[:, :2].T + m[:, 2]


def warp_affine(img, m, width, height, border=0.0):
    """Warps img (HxWxC) into a width x height image whose pixel (u, v) takes img at m^-1 (u, v),
    bilinear, neighbours outside the image count as `border`. Computed in float32 as detect/'s
    Java aligner does (the sample position in float32, weights in float32)."""
    back = invert(m)
    u, v = np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))
    x = (back[0, 0] * u + back[0, 1] * v + back[0, 2]).astype(np.float32)
    y = (back[1, 0] * u + back[1, 1] * v + back[1, 2]).astype(np.float32)
    return sample(img, x, y, border)


def warp_affine_fast(img, m, width, height):
    """warp_affine for uint8 HxWx3 images through PIL's C implementation (about 30x faster,
    rounded to uint8, and PIL samples at pixel corners rather than centres, so it differs from
    warp_affine by up to half a pixel): for generating training forgeries on the fly, where
    bit-exact agreement with detect/'s aligner does not matter."""
    from PIL import Image
    back = invert(m)
    # PIL maps output (u, v) -> input (x, y) with pixel corners at integers; shift by half a pixel
    # both ways to keep integer coordinates at pixel centres
    a, b, c = back[0]
    d, e, f = back[1]
    c = c + 0.5 * (a + b) - 0.5
    f = f + 0.5 * (d + e) - 0.5
    out = Image.fromarray(np.asarray(img, np.uint8)).transform(
        (width, height), Image.AFFINE, (a, b, c, d, e, f), resample=Image.BILINEAR)
    return np.asarray(out).astype(np.float32)


def sample(img, x, y, border=0.0):
    """Bilinear samples of img at float32 coordinate arrays x, y."""
    h, w = img.shape[:2]
    src = img.astype(np.float32)
    x0 = np.floor(x).astype(np.int64)
    y0 = np.floor(y).astype(np.int64)
    fx = (x - x0).astype(np.float32)[..., None]
    fy = (y - y0).astype(np.float32)[..., None]

    def at(xi, yi):
        inside = (xi >= 0) & (yi >= 0) & (xi < w) & (yi < h)
        vals = src[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
        return np.where(inside[..., None], vals, np.float32(border))

    top = (1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)
    bottom = (1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1)
    return (1 - fy) * top + fy * bottom


def gaussian_blur(img, sigma):
    """Separable Gaussian blur of an HxW or HxWxC float image, edges replicated."""
    if sigma <= 0:
        return img
    r = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k = (k / k.sum()).astype(np.float32)
    out = img.astype(np.float32)
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r, r)
        padded = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out)
        for i, kv in enumerate(k):
            sl = [slice(None)] * out.ndim
            sl[axis] = slice(i, i + out.shape[axis])
            acc += kv * padded[tuple(sl)]
        out = acc
    return out
