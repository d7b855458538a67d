#!/usr/bin/env python3
"""Trains a demonstration deepfake detector (CADDM-style or FST-Matching-style, nets.py) on the
face-forgery dataset (build_faces.py), measures it on the held-out identity, exports ONNX and
writes the files the Java parity test reads.

  /usr/bin/python3 models/deepfake/train_detector.py --arch caddm --loss zipf --minutes 20 \\
      --data .cache/deepfake/faces --out .cache/deepfake/caddm-demo
  /usr/bin/python3 models/deepfake/train_detector.py --arch caddm --smoke \\
      --data .cache/deepfake/faces-smoke --out .cache/deepfake/caddm-smoke        (CI)

Batches are made of (real crop, forgery made from it) pairs at the same CRF (see pairs()).

Metrics on the held-out identity at each CRF (0 = not re-encoded): frame AUC, and video AUC where
a video is one clip segment of one kind (real, self-blend or swap) and its score the mean of its
frames' P(fake). Writes OUT/NAME.onnx, OUT/metrics.json and OUT/parity.json (P(fake) of the
golden crops in DATA/golden, for detect/'s parity test).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crop  # noqa: E402
import faceapi  # noqa: E402
import forge  # noqa: E402
import imgops  # noqa: E402
import nets  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import opcount  # noqa: E402


def auc(scores, labels):
    """Area under the ROC curve (Mann-Whitney U with tied ranks averaged)."""
    scores = np.asarray(scores, np.float64)
    labels = np.asarray(labels)
    pos, neg = (labels == 1).sum(), (labels == 0).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    order = scores.argsort()
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def predict(model, x, batch=64, flip=False):
    """P(fake) of each crop; flip=True scores the mirrored crops instead."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(x[i:i + batch]).float().to(device)
            if flip:
                xb = xb.flip(3)
            out.append(model(xb)[:, 1].cpu().numpy())
    model.train()
    return np.concatenate(out)


def evaluate(model, test):
    """Held-out metrics per CRF, P(fake) per test crop, and the AUCs with each crop's P(fake)
    averaged with its mirror image's (test-time augmentation, measured for the record)."""
    p = predict(model, test["x"])
    pf = (p + predict(model, test["x"], flip=True)) / 2
    flip = {k: {m: v[m] for m in ("frame_auc", "video_auc")} for k, v in table(pf, test).items()}
    return table(p, test), p, flip


def table(p, test):
    result = {}
    for crf in sorted(set(test["crf"].tolist())):
        sel = test["crf"] == crf
        videos = {}
        for pi, yi, kind, clip, seg in zip(p[sel], test["y"][sel], test["kind"][sel],
                                           test["clip"][sel], test["segment"][sel]):
            videos.setdefault((clip, kind, seg), (yi, []))[1].append(pi)
        vy = [v[0] for v in videos.values()]
        vp = [float(np.mean(v[1])) for v in videos.values()]
        row = {"frame_auc": auc(p[sel], test["y"][sel]), "video_auc": auc(vp, vy),
               "frames": int(sel.sum()), "videos": len(videos)}
        for kind in ("self_blend", "swap"):
            k = sel & ((test["kind"] == kind) | (test["kind"] == "real"))
            row[f"frame_auc_{kind}"] = auc(p[k], test["y"][k])
        row["mean_p_fake_real"] = float(p[sel & (test["y"] == 0)].mean())
        row["mean_p_fake_fake"] = float(p[sel & (test["y"] == 1)].mean())
        result[f"crf_{crf}"] = row
    return result


def augment(x, rng):
    """Per sample: horizontal flip, a shift of up to 8 px (edge-replicated) and a global colour
    change (per-channel gain 0.8-1.2, offset -20..20) - global, so it keeps a blended face's
    colour mismatch with its surroundings but takes away absolute colour (backgrounds, skin
    tones) as a cue."""
    out = np.empty(x.shape, np.float32)
    for i in range(len(x)):
        img = x[i]
        if rng.random() < 0.5:
            img = img[:, :, ::-1]
        dy, dx = rng.randrange(-8, 9), rng.randrange(-8, 9)
        img = np.pad(img, ((0, 0), (8, 8), (8, 8)), mode="edge")[:, 8 + dy:8 + dy + 224,
                                                                  8 + dx:8 + dx + 224]
        gain = np.array([rng.uniform(0.8, 1.2) for _ in range(3)], np.float32)[:, None, None]
        bias = np.array([rng.uniform(-20, 20) for _ in range(3)], np.float32)[:, None, None]
        out[i] = np.clip(img.astype(np.float32) * gain + bias, 0, 255)
    return out


def online_self_blend(real_bgr_chw, rng):
    """A fresh self-blend of a real crop (its five points sit on the CADDM template), so that
    every step sees new blends rather than the two fixed ones per frame of the dataset."""
    rgb = np.ascontiguousarray(real_bgr_chw[::-1].transpose(1, 2, 0))
    forged, mask = forge.self_blend(rgb, crop.TEMPLATE, forge.Jitter(rng),
                                    warp=imgops.warp_affine_fast)
    small = mask[3::8, 3::8][:28, :28]
    return (np.ascontiguousarray(forged.transpose(2, 0, 1)[::-1]),
            np.clip(small * 255, 0, 255).astype(np.uint8))


def degrade_pair(real, fake, rng):
    """The same change of image quality on both crops of a pair (BGR CHW uint8): a down- and
    up-scale by 1.3-2.5x (a softer camera, a smaller face) or an unsharp mask (a sharper one), so
    that overall sharpness - which differs a lot between the training identities and any other
    video - is no cue, while the blend inside the face still is."""
    from PIL import Image, ImageFilter
    if rng.random() < 0.6:
        side = int(224 / rng.uniform(1.3, 2.5))

        def op(im):
            return im.resize((side, side), Image.BILINEAR).resize((224, 224), Image.BICUBIC)
    else:
        radius, percent = rng.uniform(1.0, 2.5), rng.randint(40, 120)

        def op(im):
            return im.filter(ImageFilter.UnsharpMask(radius, percent, 2))
    return [np.ascontiguousarray(np.asarray(op(Image.fromarray(
        np.ascontiguousarray(x.transpose(1, 2, 0))))).transpose(2, 0, 1)) for x in (real, fake)]


def warp_pair(real, fake, mask, rng, degrees=10.0, scale=0.1, elastic=3.0):
    """The same random geometry on both crops of a pair (BGR CHW uint8) and on the forgery's
    blend mask: a rotation of up to +-DEGREES, a zoom of up to +-SCALE and a smooth elastic
    displacement (a 4 x 4 grid of offsets of ELASTIC px, standard deviation, interpolated) that
    bends eyelids, mouth corners and jaw a little - more faces, poses and expressions than the
    few real people of the training set show, while the blend stays where it is on the face."""
    a = np.deg2rad(rng.uniform(-degrees, degrees))
    z = 1.0 / rng.uniform(1 - scale, 1 + scale)
    theta = torch.tensor([[[z * np.cos(a), -z * np.sin(a), 0.0],
                           [z * np.sin(a), z * np.cos(a), 0.0]]], dtype=torch.float32)
    grid = F.affine_grid(theta, (1, 3, 224, 224), align_corners=False)
    g = torch.Generator().manual_seed(rng.randrange(1 << 30))
    coarse = torch.randn(1, 2, 4, 4, generator=g) * (elastic / 112.0)
    grid = grid + F.interpolate(coarse, size=(224, 224), mode="bicubic",
                                align_corners=True).permute(0, 2, 3, 1)
    pair = torch.from_numpy(np.stack([real, fake])).float()
    out = F.grid_sample(pair, grid.expand(2, -1, -1, -1), mode="bilinear",
                        padding_mode="border", align_corners=False)
    small = F.interpolate(grid.permute(0, 3, 1, 2), size=mask.shape, mode="bilinear",
                          align_corners=False).permute(0, 2, 3, 1)
    m = F.grid_sample(torch.from_numpy(mask).float()[None, None], small, mode="bilinear",
                      padding_mode="zeros", align_corners=False)
    out = out.round().clamp(0, 255).to(torch.uint8).numpy()
    return out[0], out[1], m[0, 0].round().clamp(0, 255).to(torch.uint8).numpy()


def cutout_pair(real, fake, rng, low=40, high=90):
    """The same grey rectangle (LOW-HIGH px a side, centred inside the inner face) on both crops
    of a pair: eyes, mouth or brow are now and then hidden from the real crop and its forgery
    alike, so their look (open or closed, smiling or not) cannot carry the decision alone."""
    h, w = rng.randint(low, high), rng.randint(low, high)
    cy, cx = rng.randint(60, 164), rng.randint(60, 164)
    y0, x0 = max(0, cy - h // 2), max(0, cx - w // 2)
    real, fake = real.copy(), fake.copy()
    for x in (real, fake):
        x[:, y0:y0 + h, x0:x0 + w] = 128
    return real, fake


def adm_targets(masks, shape, kind):
    """Per-cell artifact labels at one ADM scale from the blend masks (N x 1 x 28 x 28, 0-1).
    region: a cell is an artifact cell when a quarter of its area is blended (the blended face).
    boundary: when the cell holds part of the blend's boundary - where 4 m (1 - m) of the mask,
    scaled to a peak of 1, passes 0.5 (the face X-ray idea: the seam is the artifact every blend
    has, whatever the face inside it looks like)."""
    if kind == "region":
        return (F.adaptive_avg_pool2d(masks, shape) > 0.25).long()[:, 0]
    peak = masks.amax((2, 3), keepdim=True).clamp_min(1e-6)
    m = masks / peak
    seam = 4 * m * (1 - m) * (peak > 0.01)
    return (F.adaptive_max_pool2d(seam, shape) > 0.5).long()[:, 0]


def make_ema(model, decay):
    """A copy of MODEL whose weights and batch-norm statistics follow the trained ones as an
    exponential moving average (update_parameters(model) after each step): the average of the
    last few hundred steps' weights, where the last step alone is one noisy draw."""
    return torch.optim.swa_utils.AveragedModel(
        model, avg_fn=lambda avg, new, _: decay * avg + (1 - decay) * new, use_buffers=True)


def pairs(train, kinds):
    """Each forgery with the real crop it was made from (same clip, frame and CRF): batches of
    such pairs leave the network nothing to tell them apart by but the forgery itself - not the
    person, the background or the compression."""
    keys = list(zip(train["clip"], train["frame"], train["crf"]))
    real = {k: i for i, (k, y) in enumerate(zip(keys, train["y"])) if y == 0}
    return [(real[k], i) for i, (k, y) in enumerate(zip(keys, train["y"]))
            if y == 1 and k in real and train["kind"][i] in kinds]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["caddm", "fst"], required=True)
    ap.add_argument("--backbone", default="narrow")
    ap.add_argument("--loss", choices=["ce", "zipf"], default="zipf")
    ap.add_argument("--smoothing", type=float, default=0.1, help="Zipf label smoothing mass")
    ap.add_argument("--kinds", default="self_blend,swap", help="forgeries to train on")
    ap.add_argument("--online-blend", type=float, default=0.0,
                    help="share of pairs whose forgery is a fresh self-blend of the real crop")
    ap.add_argument("--photo-share", type=float, default=0.0,
                    help="share of pairs drawn from the still photos (0: as they come)")
    ap.add_argument("--quality-aug", type=float, default=0.0,
                    help="share of pairs whose sharpness is changed (degrade_pair)")
    ap.add_argument("--geo-aug", type=float, default=0.0,
                    help="share of pairs given the same rotation, zoom and elastic bend "
                         "(warp_pair)")
    ap.add_argument("--adm-weight", type=float, default=0.2, help="CADDM artifact-map loss")
    ap.add_argument("--adm-target", choices=["region", "boundary"], default="region",
                    help="what the artifact maps learn to find (adm_targets)")
    ap.add_argument("--cutout", type=float, default=0.0,
                    help="share of pairs given the same grey rectangle (cutout_pair)")
    ap.add_argument("--channels-last", action="store_true",
                    help="NHWC tensors while training (about a quarter faster on this CPU)")
    ap.add_argument("--fst-artifact-head", action="store_true",
                    help="FST: supervise the target encoder's map with the blend masks too")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="keep an exponential moving average of the weights with this decay "
                         "(e.g. 0.995) and evaluate and export it; the raw weights' held-out "
                         "metrics are kept in metrics.json under raw_held_out")
    ap.add_argument("--minutes", type=float, default=20.0, help="training time budget")
    ap.add_argument("--steps", type=int, default=1000000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--pretrained-lr", type=float, default=0.1,
                    help="learning-rate factor of a pretrained backbone (--backbone faceapi); "
                         "0 freezes it")
    ap.add_argument("--cache", default=os.environ.get("FRAMEWATCH_CACHE", ".cache"),
                    help="where --backbone faceapi's weights are fetched to (media/)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="torch device (cpu; cuda for sweeps)")
    ap.add_argument("--smoke", action="store_true", help="a few steps (CI)")
    ap.add_argument("--data", required=True, help="build_faces.py output")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", help="model name (default ARCH-demo, or ARCH-smoke with --smoke)")
    a = ap.parse_args()
    name = a.name or f"{a.arch}-{'smoke' if a.smoke else 'demo'}"
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    train = dict(np.load(os.path.join(a.data, "train.npz")))
    test = dict(np.load(os.path.join(a.data, "test.npz")))
    if a.smoke:
        a.steps, a.batch = 3, 8
    print(f"{name}: train {len(train['y'])} crops ({int(train['y'].sum())} fake), test "
          f"{len(test['y'])} ({int(test['y'].sum())} fake)", flush=True)

    device = torch.device(a.device)
    model = nets.build(a.arch, a.backbone, a.fst_artifact_head)
    groups = [{"params": list(model.parameters()), "scale": 1.0}]
    if a.backbone == "faceapi":  # start from face-api's face-trained weights, trained slower
        weights = faceapi.landmark_weights(os.path.abspath(a.cache))  # read once, FST has two
        pretrained = [m.features.load(weights) for m in model.modules()
                      if isinstance(m, nets.FaceApiBackbone)]
        slow = [q for f in pretrained for q in f.parameters()]
        ids = {id(q) for q in slow}
        groups = [{"params": [q for q in model.parameters() if id(q) not in ids], "scale": 1.0}]
        if a.pretrained_lr > 0:
            groups.append({"params": slow, "scale": a.pretrained_lr})
        else:  # frozen: only the layers after it learn, and no gradient flows into it
            for q in slow:
                q.requires_grad_(False)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(device).to(memory_format=fmt)
    opt = torch.optim.AdamW([dict(g, lr=a.lr * g["scale"]) for g in groups], lr=a.lr,
                            weight_decay=1e-4)
    ema = None
    if a.ema > 0:
        ema = make_ema(model, a.ema)
    start = time.time()
    deadline = start + a.minutes * 60
    step, seen = 0, 0
    n = len(train["y"])
    couples = pairs(train, set(a.kinds.split(",")))
    print(f"{len(couples)} (real, forgery) pairs", flush=True)
    photo = [c for c in couples if train["clip"][c[0]] == "photos"]
    video = [c for c in couples if train["clip"][c[0]] != "photos"]
    # with more than one training video person, each person's pairs are drawn equally often (a
    # short clip weighs as much as a long one: people, not frames, are what the network lacks)
    people = {}
    for c in video:
        people.setdefault(str(train["person"][c[0]]) if "person" in train else "", []).append(c)
    if a.photo_share > 0:
        print(f"{len(photo)} photo pairs drawn {a.photo_share:.0%} of the time, {len(video)} "
              f"video pairs of {len(people)} people "
              f"({', '.join(f'{k} {len(v)}' for k, v in people.items())})", flush=True)
    groups_v = list(people.values())

    def video_pair():
        # one person: the draw of the runs before --more-people, so their commands still repeat
        return rng.choice(video) if len(groups_v) == 1 else rng.choice(rng.choice(groups_v))
    perm = list(range(len(couples)))
    rng.shuffle(perm)
    pos = 0
    half = a.batch // 2
    while step < a.steps and time.time() < deadline:
        if a.photo_share > 0:  # identity-balanced: the few photo faces weigh more
            chosen = [rng.choice(photo) if rng.random() < a.photo_share else video_pair()
                      for _ in range(half)]
        else:
            if pos + half > len(perm):
                rng.shuffle(perm)
                pos = 0
            chosen = [couples[j] for j in perm[pos:pos + half]]
            pos += half
        idx = [k for c in chosen for k in c]
        batch = train["x"][idx]  # index lists copy, so the pair changes below are the batch's own
        masks = train["mask"][idx]
        if a.online_blend > 0 or a.quality_aug > 0 or a.geo_aug > 0 or a.cutout > 0:
            for b in range(1, len(idx), 2):  # the forgery of each pair
                if rng.random() < a.online_blend:
                    batch[b], masks[b] = online_self_blend(batch[b - 1], rng)
                if rng.random() < a.geo_aug:
                    batch[b - 1], batch[b], masks[b] = warp_pair(batch[b - 1], batch[b],
                                                                 masks[b], rng)
                if rng.random() < a.quality_aug:
                    batch[b - 1], batch[b] = degrade_pair(batch[b - 1], batch[b], rng)
                if rng.random() < a.cutout:
                    batch[b - 1], batch[b] = cutout_pair(batch[b - 1], batch[b], rng)
        x = torch.from_numpy(augment(batch, rng)).to(device).contiguous(memory_format=fmt)
        y = torch.from_numpy(train["y"][idx]).to(device)
        logits, maps = model.forward_train(x)
        loss = nets.loss_fn(a.loss, logits, y, a.smoothing)
        if maps and a.adm_weight > 0:
            mask = torch.from_numpy(masks).to(device).float()[:, None] / 255.0
            for m in maps:
                target = adm_targets(mask, m.shape[-2:], a.adm_target)
                loss = loss + a.adm_weight / len(maps) * F.cross_entropy(m, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if ema is not None:
            ema.update_parameters(model)
        step += 1
        seen += len(idx)
        if step % 50 == 0:
            # cosine decay over the time budget, or over --steps when that ends training first
            frac = min(1.0, max((time.time() - start) / (deadline - start), step / a.steps))
            for g in opt.param_groups:
                g["lr"] = a.lr * g["scale"] * 0.5 * (1 + np.cos(np.pi * frac))
            print(f"step {step} loss {loss.item():.4f} epoch {seen / n:.1f} "
                  f"{time.time() - start:.0f}s", flush=True)
    wall = time.time() - start
    raw = None
    if ema is not None:
        raw = table(predict(model, test["x"]), test)  # no mirrored pass: the EMA copy gets it
        print("raw weights", json.dumps({k: round(v["frame_auc"], 4) for k, v in raw.items()}),
              flush=True)
        model = ema.module
    write_run(model, test, a.data, a.out, name,
              {"arch": a.arch, "backbone": a.backbone, "loss": a.loss,
               "smoothing": a.smoothing if a.loss == "zipf" else 0.0, "steps": step,
               "samples_seen": seen, "epochs": round(seen / n, 2),
               "wall_seconds": round(wall, 1), "seed": a.seed, "smoke": a.smoke,
               "device": a.device, "ema": a.ema, "raw_held_out": raw, "train_crops": int(n),
               "command": " ".join(sys.argv)})


def write_run(model, test, data, out, name, info):
    """Measures `model` on the held-out crops and writes the run: OUT/test_p_fake.npy,
    OUT/model.pt, OUT/NAME.onnx, OUT/parity.json (P(fake) of DATA/golden's crops) and
    OUT/metrics.json (`info` plus the measurements)."""
    metrics, p, flip = evaluate(model, test)
    for k, v in metrics.items():
        print(k, json.dumps({m: round(x, 4) if isinstance(x, float) else x
                             for m, x in v.items()}), flush=True)
    print("flip_average", json.dumps(flip), flush=True)
    np.save(os.path.join(out, "test_p_fake.npy"), p)

    model = model.cpu().to(memory_format=torch.contiguous_format).eval()
    torch.save(model.state_dict(), os.path.join(out, "model.pt"))
    onnx_path = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(model, torch.rand(1, 3, 224, 224) * 255, onnx_path, opset_version=13,
                      input_names=["input"], output_names=["prob"],
                      dynamic_axes={"input": {0: "n"}, "prob": {0: "n"}})
    gold_dir = os.path.join(data, "golden")
    crops = np.fromfile(os.path.join(gold_dir, "crops.bin"), "<f4").reshape(-1, 3, 224, 224)
    with torch.no_grad():
        gp = model(torch.from_numpy(crops))[:, 1].numpy()
    json.dump({"model": name, "p_fake": [float(v) for v in gp]},
              open(os.path.join(out, "parity.json"), "w"), indent=2)
    flops = count_macs(model)
    json.dump(dict({"model": name}, **info, params=nets.parameters(model),
                   gmacs_per_face=round(flops / 1e9, 4), onnx_bytes=os.path.getsize(onnx_path),
                   held_out=metrics, flip_average=flip, test_crops=int(len(test["y"]))),
              open(os.path.join(out, "metrics.json"), "w"), indent=2)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)"
          + (f" after {info['steps']} steps in {info['wall_seconds']:.0f}s"
             if "steps" in info else ""), flush=True)


def count_macs(model):
    """Multiply-accumulates of one 224x224 face through convolutions and linear layers."""
    model.eval()
    return opcount.count(model, torch.zeros(1, 3, 224, 224))[0]


if __name__ == "__main__":
    main()
