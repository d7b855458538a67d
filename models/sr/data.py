"""Real photos for super-resolution training and evaluation, taken from Debian packages with
`apt-get download` + `dpkg-deb -x` (never committed), and the LR/HR pairs made from them.

Kernels (stated because PSNR depends on them): every resize is PyTorch's bicubic (Keys cubic,
a = -0.75) with antialiasing, align_corners=False. JPEG wallpapers are first downscaled x2 with that
kernel to hide their compression artefacts; PNGs (skimage data) are used as they are.
"""
import glob
import hashlib
import os
import subprocess
import tempfile

import numpy as np
import torch
from PIL import Image

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
            with tempfile.TemporaryDirectory(dir=cache) as tmp:
                cmd = ["apt-get", "download", pkg]
                if subprocess.run(cmd, cwd=tmp, stdout=subprocess.DEVNULL).returncode != 0:
                    # a fresh machine may have no package lists yet
                    subprocess.run(["apt-get", "update", "-qq"], check=True)
                    subprocess.run(cmd, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
                deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
                os.makedirs(root + ".partial", exist_ok=True)
                subprocess.run(["dpkg-deb", "-x", deb, root + ".partial"], check=True)
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
