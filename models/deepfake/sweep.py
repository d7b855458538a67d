#!/usr/bin/env python3
"""Recipe sweeps for train_detector.py: many short runs side by side, one process and one core
each, on a machine with more cores (and optionally a GPU) than the 2-core build machine. A sweep
only chooses a recipe; the weights that ship are trained on the build machine by the command in
their card.

  pack    the dataset as JPEG (quality 92 train, 95 test, 4:4:4) in one .npz, small enough to
          carry to a lent machine (the raw crops are ~1 GB):
            /usr/bin/python3 models/deepfake/sweep.py pack --data .cache/deepfake/faces2 \\
                --out .cache/deepfake/pack
  unpack  back to train.npz / test.npz / golden/ as build_faces.py writes them:
            python3 models/deepfake/sweep.py unpack --pack .cache/deepfake/pack --out /tmp/faces
  run     every configuration of CONFIGS at once, then one line of held-out figures each:
            python3 models/deepfake/sweep.py run --data /tmp/faces --out OUT --device cuda \\
                --steps 2300 --minutes 6
  table   the figures of a finished sweep (OUT/*/metrics.json), and of averaging pairs of runs.

On a machine without Pillow the image operations fall back to NumPy versions (said in the log).
"""
import argparse
import glob
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# the v5 recipe (caddm-demo) and one change each; three seeds of it measure the noise
BASE = ["--arch", "caddm", "--loss", "ce", "--online-blend", "0.7", "--photo-share", "0.6",
        "--quality-aug", "0.6"]
CONFIGS = {
    "base": [],
    "base-seed6": ["--seed", "6"],
    "base-seed7": ["--seed", "7"],
    "adm0.6": ["--adm-weight", "0.6"],
    "adm0": ["--adm-weight", "0"],
    "online0.9": ["--online-blend", "0.9"],
    "online0.5": ["--online-blend", "0.5"],
    "wide": ["--backbone", "narrow-wide"],
    "convstem": ["--backbone", "narrow-conv"],
    "deep": ["--backbone", "narrow-deep"],
    "lr2e-3": ["--lr", "2e-3"],
    "batch64": ["--batch", "64"],
    "photo0.45": ["--photo-share", "0.45"],
    "fst": ["--arch", "fst"],
}
# second round: the batch size, which the first round found to matter most
B64 = ["--batch", "64"]
CONFIGS_BATCH = {
    "b32": [],
    "b64": B64,
    "b64-seed6": B64 + ["--seed", "6"],
    "b64-seed7": B64 + ["--seed", "7"],
    "b64-seed8": B64 + ["--seed", "8"],
    "b128": ["--batch", "128"],
    "b128-seed6": ["--batch", "128", "--seed", "6"],
    "b128-lr2e-3": ["--batch", "128", "--lr", "2e-3"],
    "b64-adm0": B64 + ["--adm-weight", "0"],
    "b64-adm0-seed6": B64 + ["--adm-weight", "0", "--seed", "6"],
    "b64-lr2e-3": B64 + ["--lr", "2e-3"],
    "b64-online0.5": B64 + ["--online-blend", "0.5"],
    "b64-convstem": B64 + ["--backbone", "narrow-conv"],
    "b64-fst": B64 + ["--arch", "fst"],
}
SETS = {"first": CONFIGS, "batch": CONFIGS_BATCH}
FIELDS = ("x", "mask", "y", "kind", "crf", "clip", "segment", "frame")


def encode(x, quality):
    from PIL import Image
    blobs = []
    for img in x:
        b = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(img[::-1].transpose(1, 2, 0))).save(
            b, "JPEG", quality=quality, subsampling=0)
        blobs.append(np.frombuffer(b.getvalue(), np.uint8))
    return np.concatenate(blobs), np.cumsum([0] + [len(b) for b in blobs])


def decode(data, offsets):
    try:
        from PIL import Image

        def one(b):
            return np.asarray(Image.open(io.BytesIO(b.tobytes())).convert("RGB"))
    except ImportError:
        import torch
        from torchvision.io import decode_jpeg

        def one(b):
            return decode_jpeg(torch.from_numpy(b.copy())).permute(1, 2, 0).numpy()
    return np.stack([one(data[offsets[i]:offsets[i + 1]]).transpose(2, 0, 1)[::-1]
                     for i in range(len(offsets) - 1)])  # RGB -> BGR as the crops are


def pack(a):
    os.makedirs(a.out, exist_ok=True)
    for split, quality in (("train", 92), ("test", 95)):
        d = dict(np.load(os.path.join(a.data, split + ".npz")))
        keep = np.ones(len(d["y"]), bool) if split == "train" else d["crf"] == 0
        d = {k: v[keep] for k, v in d.items()}
        data, offsets = encode(d.pop("x"), quality)
        np.savez_compressed(os.path.join(a.out, split + ".npz"), jpeg=data, offsets=offsets, **d)
        print(f"{split}: {int(keep.sum())} crops, {data.nbytes / 1e6:.1f} MB of JPEG", flush=True)
    shutil.copytree(os.path.join(a.data, "golden"), os.path.join(a.out, "golden"),
                    dirs_exist_ok=True)


def unpack(a):
    os.makedirs(a.out, exist_ok=True)
    for split in ("train", "test"):
        d = dict(np.load(os.path.join(a.pack, split + ".npz")))
        d["x"] = decode(d.pop("jpeg"), d.pop("offsets"))
        np.savez(os.path.join(a.out, split + ".npz"), **{k: d[k] for k in FIELDS})
        print(f"{split}: {len(d['y'])} crops", flush=True)
    shutil.copytree(os.path.join(a.pack, "golden"), os.path.join(a.out, "golden"),
                    dirs_exist_ok=True)


def run(a):
    os.makedirs(a.out, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    configs = SETS[a.set]
    names = a.only.split(",") if a.only else list(configs)
    procs = {}
    for name in names:
        cmd = [sys.executable, os.path.join(HERE, "sweep_worker.py"), *BASE, *configs[name],
               "--threads", "1", "--device", a.device, "--steps", str(a.steps),
               "--minutes", str(a.minutes), "--data", a.data,
               "--out", os.path.join(a.out, name), "--name", name]
        log = open(os.path.join(a.out, name + ".log"), "w")
        procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    start = time.time()
    while any(p.poll() is None for p in procs.values()):
        time.sleep(30)
        steps = {n: last_step(os.path.join(a.out, n + ".log")) for n in names}
        print(f"{time.time() - start:.0f}s steps {json.dumps(steps)}", flush=True)
    for name, p in procs.items():
        if p.returncode:
            print(f"{name} failed ({p.returncode}):", flush=True)
            print(open(os.path.join(a.out, name + ".log")).read()[-2000:], flush=True)
    print(report(a.out, a.data), flush=True)


def last_step(log):
    step = 0
    for line in open(log):
        if line.startswith("step "):
            step = int(line.split()[1])
    return step


def report(out, data=None):
    rows = ["| run | steps | frame AUC | video AUC | self-blend | swap | flip frame / video |",
            "|---|---|---|---|---|---|---|"]
    preds = {}
    for path in sorted(glob.glob(os.path.join(out, "*", "metrics.json"))):
        m = json.load(open(path))
        r = m["held_out"]["crf_0"]
        f = m["flip_average"]["crf_0"]
        rows.append(f"| {m['model']} | {m['steps']} | {r['frame_auc']:.3f} | "
                    f"{r['video_auc']:.3f} | {r['frame_auc_self_blend']:.3f} | "
                    f"{r['frame_auc_swap']:.3f} | {f['frame_auc']:.3f} / {f['video_auc']:.3f} |")
        p = os.path.join(os.path.dirname(path), "test_p_fake.npy")
        if os.path.exists(p):
            preds[m["model"]] = np.load(p)
    return "\n".join(rows) + "\n" + (ensembles(preds, data) if data else "")


def ensembles(preds, data):
    """Frame and video AUC of the average of each pair of runs (test crops at CRF 0 only)."""
    test = os.path.join(data, "test.npz")
    sys.path.insert(0, HERE)
    from train_detector import table
    t = np.load(test)  # lazy: the crops themselves are never read
    clean = t["crf"] == 0
    t = {k: t[k][clean] for k in t.files if k != "x"}
    pairs = []
    for x, y in itertools.combinations(sorted(preds), 2):
        if len(preds[x]) == len(preds[y]) == len(t["y"]):
            r = table((preds[x] + preds[y]) / 2, t)["crf_0"]
            pairs.append((r["frame_auc"], r["video_auc"], x, y))
    pairs.sort(reverse=True)
    return "\nbest pairs (mean P(fake)):\n" + "\n".join(
        f"  {x} + {y}: frame {fa:.3f} video {va:.3f}" for fa, va, x, y in pairs[:8])


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("unpack")
    p.add_argument("--pack", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("run")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=2300)
    p.add_argument("--minutes", type=float, default=6.0)
    p.add_argument("--set", choices=sorted(SETS), default="first")
    p.add_argument("--only", help="comma-separated configuration names (default: all)")
    p = sub.add_parser("table")
    p.add_argument("--out", required=True)
    p.add_argument("--data", help="the dataset, for the figures of averaged pairs")
    a = ap.parse_args()
    if a.cmd == "table":
        print(report(a.out, a.data))
    else:
        {"pack": pack, "unpack": unpack, "run": run}[a.cmd](a)


if __name__ == "__main__":
    main()
