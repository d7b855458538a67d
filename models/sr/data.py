"""Real photos for super-resolution training and evaluation, taken from Debian packages with
`apt-get download` + `dpkg-deb -x` (never committed), and the LR/HR pairs made from them.

Kernels (stated because PSNR depends on them): every resize is PyTorch's bicubic (Keys cubic,
a = -0.75) with antialiasing, align_corners=False. JPEG wallpapers are first downscaled x2 with that
kernel to hide their compression artefacts; PNGs (skimage data) are used as they are.
"""
import glob
import hashlib
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import debs  # noqa: E402

PACKAGES = {
    "python3-skimage": ["usr/lib/python3/dist-packages/skimage/data/*.png"],
    "mate-backgrounds": ["usr/share/backgrounds/mate/nature/*.jpg"],
    "plasma-workspace-wallpapers": ["usr/share/wallpapers/*/contents/images/2560x1600.*"],
}
SMOKE_PACKAGES = ["python3-skimage"]
# skimage images that are photographs in colour, large enough to crop training patches from
SKIMAGE_PHOTOS = {"astronaut", "chelsea", "coffee", "rocket", "motorcycle_left",
                  "motorcycle_right", "hubble_deep_field", "immunohistochemistry"}


def fetch(cache, packages):
    """Unpacks each package under CACHE/debs/PKG once; returns the photo paths."""
    paths = []
    for pkg in packages:
        root = os.path.join(cache, "debs", pkg)
        if not os.path.isdir(root):
            debs.unpack(pkg, root + ".partial")
            os.rename(root + ".partial", root)
        for pattern in PACKAGES[pkg]:
            for p in sorted(glob.glob(os.path.join(root, pattern))):
                name = os.path.splitext(os.path.basename(p))[0]
                if pkg == "python3-skimage" and name not in SKIMAGE_PHOTOS:
                    continue
                paths.append(p)
    if not paths:
        raise SystemExit(f"no photos found in {packages}")
    return paths


def to_tensor(img):
    """HWC uint8 -> 1x3xHxW float 0-255."""
    return torch.from_numpy(np.asarray(img.convert("RGB"), dtype=np.float32)).permute(2, 0, 1)[None]


def resize(x, h, w):
    return torch.nn.functional.interpolate(x, size=(h, w), mode="bicubic", align_corners=False,
                                           antialias=True).clamp(0, 255)


def load_hr(path):
    x = to_tensor(Image.open(path))
    if path.lower().endswith((".jpg", ".jpeg")):
        x = resize(x, x.shape[2] // 2, x.shape[3] // 2).round()
    return x


def photo_name(path):
    """A photo's name: its file name, or for Plasma wallpapers (every file is named after its
    resolution) the wallpaper's directory."""
    parts = path.split(os.sep)
    if "contents" in parts:
        return parts[parts.index("contents") - 1]
    return os.path.splitext(os.path.basename(path))[0]


def split(paths, eval_every=5):
    """Whole photos are held out: a stable hash of the photo's name puts one in five aside."""
    train, held = [], []
    for p in paths:
        h = int(hashlib.sha256(photo_name(p).encode()).hexdigest(), 16)
        (held if h % eval_every == 0 else train).append(p)
    if not held:
        held.append(train.pop())
    return train, held


def lr_of(hr, scale):
    """Crops HR to a multiple of the scale and makes its bicubic LR."""
    h = hr.shape[2] - hr.shape[2] % scale
    w = hr.shape[3] - hr.shape[3] % scale
    hr = hr[:, :, :h, :w]
    return resize(hr, h // scale, w // scale).round(), hr


def psnr(a, b, shave, y_only=False):
    """PSNR of 8-bit images (both rounded to integers), `shave` border pixels excluded; on Y,
    BT.601 luma Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255."""
    a = a[:, :, shave:-shave, shave:-shave].round()
    b = b[:, :, shave:-shave, shave:-shave].round()
    if y_only:
        wts = torch.tensor([65.481, 128.553, 24.966]).view(1, 3, 1, 1) / 255.0
        a = 16 + (a * wts).sum(1, keepdim=True)
        b = 16 + (b * wts).sum(1, keepdim=True)
    mse = torch.mean((a - b) ** 2).item()
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-10))


def synthetic_burst(hr, scale, frames, lr_size, rng, max_shift=2.5, max_degrees=0.5, sigma=0.0,
                    noise_gen=None):
    """A synthetic video burst made the BSRT way from one photo.

    `hr` is a crop whose sides exceed lr_size * scale by a margin; every frame but the reference
    (frames // 2) sees the photo moved by its own random rigid motion (a translation up to
    `max_shift` low-resolution pixels and a rotation up to `max_degrees` about the centre, sampled
    with bicubic GridSample), then the centre lr_size * scale is downscaled with the bicubic
    kernel above (so the reference is exactly the LR that NCNet trains on), Gaussian noise of
    `sigma` (0-255) is added and the result rounded to 8 bits.

    Returns (burst [1, K, 3, lr, lr], hr target [1, 3, lr*s, lr*s], true flow [1, K-1, 2, lr, lr]:
    where each reference pixel is found in each other frame, in low-resolution pixels).
    """
    size = lr_size * scale
    _, _, h, w = hr.shape
    top, left = (h - size) // 2, (w - size) // 2
    target = hr[:, :, top:top + size, left:left + size]
    # HR pixel coordinates of the output crop, centred on the crop's centre
    cy, cx = top + (size - 1) / 2.0, left + (size - 1) / 2.0
    hy = torch.arange(size, dtype=torch.float32) - (size - 1) / 2.0
    py, px = torch.meshgrid(hy, hy, indexing="ij")
    # LR pixel centres in the same centred HR coordinates
    ly = (torch.arange(lr_size, dtype=torch.float32) - (lr_size - 1) / 2.0) * scale
    qy, qx = torch.meshgrid(ly, ly, indexing="ij")
    ref = frames // 2
    out, flows = [], []
    for k in range(frames):
        if k == ref:
            img = target
        else:
            a = np.deg2rad(rng.uniform(-max_degrees, max_degrees))
            tx = rng.uniform(-max_shift, max_shift) * scale
            ty = rng.uniform(-max_shift, max_shift) * scale
            cos, sin = np.cos(a), np.sin(a)
            # frame k shows the photo at R p + t for its pixel p
            sx = cos * px - sin * py + tx + cx
            sy = sin * px + cos * py + ty + cy
            grid = torch.stack([(2 * sx + 1) / w - 1, (2 * sy + 1) / h - 1], dim=2)[None]
            img = torch.nn.functional.grid_sample(hr, grid.float(), mode="bicubic",
                                                  padding_mode="border", align_corners=False)
            img = img.clamp(0, 255)
            # a scene point x is at p = R^-1 (x - t) in frame k
            dx, dy = qx - tx, qy - ty
            fx = (cos * dx + sin * dy) / scale - qx / scale
            fy = (-sin * dx + cos * dy) / scale - qy / scale
            flows.append(torch.stack([fx, fy]).float())
        lr = resize(img, lr_size, lr_size)
        if sigma > 0:
            lr = lr + torch.randn(lr.shape, generator=noise_gen) * sigma
        out.append(lr.round().clamp(0, 255))
    return torch.stack(out, 1), target, torch.stack(flows)[None]


def add_training_args(ap, batch, lr, lr_help="Adam learning rate"):
    """The options every SR trainer takes (time budget, batch, patch, seed, threads, smoke, paths)."""
    ap.add_argument("--minutes", type=float, default=40.0, help="training time budget")
    ap.add_argument("--steps", type=int, default=200000, help="upper bound on steps")
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--patch", type=int, default=48, help="LR patch side")
    ap.add_argument("--lr", type=float, default=lr, help=lr_help)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2, help="PyTorch CPU threads")
    ap.add_argument("--smoke", action="store_true", help="a few steps on skimage photos (CI)")
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"))
    ap.add_argument("--out", required=True)


def start_training(a):
    """Threads, seeds and directories of a trainer; returns its random.Random."""
    import random
    torch.set_num_threads(a.threads)  # Debian's torch starts with one thread
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.cache, exist_ok=True)
    return random.Random(a.seed)


def training_photos(a):
    """(training HR photos, [(path, HR photo)] held out): skimage only with --smoke."""
    paths = fetch(a.cache, SMOKE_PACKAGES if a.smoke else list(PACKAGES))
    train_paths, held_paths = split(paths)
    return [load_hr(p) for p in train_paths], [(p, load_hr(p)) for p in held_paths]
