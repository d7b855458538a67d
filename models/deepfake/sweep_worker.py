#!/usr/bin/env python3
"""One run of a sweep (sweep.py): train_detector.py's main(), made to survive a machine that
lacks Pillow (NumPy versions of the fast warp and of degrade_pair, close but not identical) or
whose PyTorch cannot export ONNX (the run's figures still count; no .onnx is written)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imgops  # noqa: E402
import train_detector  # noqa: E402


def degrade_pair_numpy(real, fake, rng):
    """degrade_pair without Pillow: bilinear down- and up-scale, or an unsharp mask."""
    if rng.random() < 0.6:
        f = rng.uniform(1.3, 2.5)
        down = np.array([[1 / f, 0, 0.5 / f - 0.5], [0, 1 / f, 0.5 / f - 0.5]])
        up = np.array([[f, 0, 0.5 * f - 0.5], [0, f, 0.5 * f - 0.5]])
        side = int(224 / f)

        def op(im):
            small = imgops.warp_affine(im, down, side, side)
            return imgops.warp_affine(small, up, 224, 224)
    else:
        radius, amount = rng.uniform(1.0, 2.5), rng.randint(40, 120) / 100

        def op(im):
            im = im.astype(np.float32)
            return im + amount * (im - imgops.gaussian_blur(im, radius))
    return [np.ascontiguousarray(np.clip(np.round(op(x.transpose(1, 2, 0))), 0, 255)
                                 .astype(np.uint8).transpose(2, 0, 1)) for x in (real, fake)]


def main():
    try:
        import PIL  # noqa: F401
    except ImportError:
        print("no Pillow here: NumPy warp and degrade_pair", flush=True)
        imgops.warp_affine_fast = imgops.warp_affine
        train_detector.degrade_pair = degrade_pair_numpy
    import torch
    export = torch.onnx.export

    def safe_export(model, args, path, **kw):
        try:
            export(model, args, path, **kw)
        except Exception as e:  # noqa: BLE001 - figures matter here, not the file
            print(f"ONNX export failed ({e}); no model file", flush=True)
            open(path, "wb").close()
    torch.onnx.export = safe_export
    train_detector.main()


if __name__ == "__main__":
    main()
