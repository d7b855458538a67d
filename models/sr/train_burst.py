#!/usr/bin/env python3
"""Trains BurstNC (burst.py) on synthetic K-frame bursts of real photos, compares it on held-out
photos with bicubic and with the shipped single-frame NCNet on the same reference frame, exports
ONNX (opset 16: GridSample) and writes the files the Java parity test reads.

  /usr/bin/python3 models/sr/train_burst.py --minutes 40 --out .cache/sr/burstnc-x3
  /usr/bin/python3 models/sr/train_burst.py --smoke --out .cache/sr/burstnc-x3-smoke   (CI)

The NCNet part starts from models/weights/ncnet-x3.onnx (--ncnet), so BurstNC starts out equal to
NCNet on the reference frame. Loss: L1 on the SR output + --flow-weight x L1 between the predicted
and the true flow (synthetic bursts know their motion).

Writes OUT/burstnc-xS.onnx, OUT/metrics.json, OUT/parity-input.bin, OUT/parity-output.bin
(little-endian float32, shapes in metrics.json).
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from burst import BurstNC, load_ncnet_from_onnx  # noqa: E402
from ncnet import NCNet, trainable_parameters  # noqa: E402

EVAL_SIGMAS = (2.0, 0.0)


def batch_of(hrs, a, rng, gen):
    margin = 2 * int(np.ceil(a.max_shift * a.scale)) + 8
    size = a.patch * a.scale + 2 * margin
    xs, ys, fs = [], [], []
    for _ in range(a.batch):
        hr = hrs[rng.randrange(len(hrs))]
        top = rng.randrange(hr.shape[2] - size + 1)
        left = rng.randrange(hr.shape[3] - size + 1)
        crop = hr[:, :, top:top + size, left:left + size]
        if rng.random() < 0.5:
            crop = crop.flip(3)
        sigma = rng.uniform(0, a.max_sigma)
        x, y, f = data.synthetic_burst(crop, a.scale, a.frames, a.patch, rng, a.max_shift,
                                       a.max_degrees, sigma, gen)
        xs.append(x)
        ys.append(y)
        fs.append(f)
    return torch.cat(xs), torch.cat(ys), torch.cat(fs)


def held_bursts(held, a):
    """One fixed burst per held-out photo and noise level (seeded by the photo's position)."""
    out = []
    for i, (path, hr) in enumerate(held):
        margin = 2 * int(np.ceil(a.max_shift * a.scale)) + 8
        lr_size = (min(hr.shape[2], hr.shape[3]) - 2 * margin) // a.scale
        if a.eval_size:
            lr_size = min(lr_size, a.eval_size)
        for sigma in EVAL_SIGMAS:
            rng = random.Random(1000 + i)
            gen = torch.Generator().manual_seed(2000 + i)
            x, y, _ = data.synthetic_burst(hr, a.scale, a.frames, lr_size, rng, a.max_shift,
                                           a.max_degrees, sigma, gen)
            out.append((data.photo_name(path), sigma, x, y))
    return out


def evaluate(model, ncnet, bursts, scale, ref):
    rows = []
    model.eval()
    with torch.no_grad():
        for name, sigma, x, hr in bursts:
            lr = x[:, ref]
            sr = model(x)
            single = ncnet(lr)
            bic = data.resize(lr, hr.shape[2], hr.shape[3])
            row = {"photo": name, "sigma": sigma}
            for key, img in (("burst", sr), ("ncnet", single), ("bicubic", bic)):
                row[key + "_rgb"] = data.psnr(img, hr, scale)
                row[key + "_y"] = data.psnr(img, hr, scale, True)
            rows.append(row)
    model.train()
    means = {}
    for sigma in EVAL_SIGMAS:
        sel = [r for r in rows if r["sigma"] == sigma]
        means[f"sigma_{sigma:g}"] = {k: float(np.mean([r[k] for r in sel]))
                                     for k in sel[0] if k not in ("photo", "sigma")}
    return means, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--frames", type=int, default=5)
    data.add_training_args(ap, batch=8, lr=1e-3, lr_help="for the new layers")
    ap.add_argument("--lr-ncnet", type=float, default=2e-4, help="for the NCNet layers")
    ap.add_argument("--flow-weight", type=float, default=1.0)
    ap.add_argument("--max-shift", type=float, default=2.5, help="LR pixels, per frame")
    ap.add_argument("--max-degrees", type=float, default=0.5)
    ap.add_argument("--max-sigma", type=float, default=4.0, help="noise, 0-255 scale")
    ap.add_argument("--eval-size", type=int, default=0, help="cap held-out LR side (0 = photo)")
    ap.add_argument("--ncnet", default=os.path.join(HERE, "..", "weights", "ncnet-x3.onnx"))
    a = ap.parse_args()
    rng = data.start_training(a)
    gen = torch.Generator().manual_seed(a.seed)
    train, held = data.training_photos(a)  # the same photos NCNet held out
    if a.smoke:
        a.steps, a.minutes, a.batch, a.patch, a.eval_size = 5, 5, 2, 24, 32
        held = held[:1]
    print(f"photos: {len(train)} train, {len(held)} held out: "
          f"{[data.photo_name(p) for p, _ in held]}", flush=True)

    model = BurstNC(a.scale, a.frames)
    ncnet = NCNet(a.scale)
    load_ncnet_from_onnx(model, a.ncnet)
    ncnet.load_state_dict(model.single.state_dict())
    ncnet.eval()
    bursts = held_bursts(held, a)
    single = [p for n, p in model.named_parameters() if n.startswith("single.")]
    new = [p for n, p in model.named_parameters() if not n.startswith("single.")]
    opt = torch.optim.Adam([{"params": new, "lr": a.lr, "base": a.lr},
                            {"params": single, "lr": a.lr_ncnet, "base": a.lr_ncnet}])
    start = time.time()
    deadline = start + a.minutes * 60
    step = 0
    while step < a.steps and time.time() < deadline:
        x, y, flow = batch_of(train, a, rng, gen)
        sr, pred = model.forward_with_flow(x)
        loss_sr = F.l1_loss(sr, y)
        loss_flow = F.l1_loss(pred, flow)
        loss = loss_sr + a.flow_weight * loss_flow
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            frac = (time.time() - start) / (deadline - start)
            for g in opt.param_groups:  # cosine decay over the time budget
                g["lr"] = g["base"] * 0.5 * (1 + np.cos(np.pi * min(1.0, frac)))
            print(f"step {step} l1 {loss_sr.item():.3f} flow {loss_flow.item():.3f} "
                  f"{time.time() - start:.0f}s ({100 * frac:.0f}% of the budget)", flush=True)
    wall = time.time() - start
    means, rows = evaluate(model, ncnet, bursts, a.scale, model.ref)
    print(json.dumps(means), flush=True)

    model.eval()
    onnx_path = os.path.join(a.out, f"burstnc-x{a.scale}.onnx")
    dummy = torch.rand(1, a.frames, 3, 32, 32) * 255
    torch.onnx.export(model, dummy, onnx_path, opset_version=16, input_names=["burst"],
                      output_names=["sr"],
                      dynamic_axes={"burst": {0: "n", 3: "h", 4: "w"},
                                    "sr": {0: "n", 2: "H", 3: "W"}})
    # parity input: a real synthetic burst (not noise, so the flow net sees structure), at a size
    # other than the export's
    prng = random.Random(123)
    pgen = torch.Generator().manual_seed(123)
    x, _, _ = data.synthetic_burst(held[0][1], a.scale, a.frames, 20, prng, a.max_shift,
                                   a.max_degrees, 2.0, pgen)
    x = x[:, :, :, :18].contiguous()  # 18 x 20: not square either
    with torch.no_grad():
        y = model(x)
    x.numpy().astype("<f4").tofile(os.path.join(a.out, "parity-input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(a.out, "parity-output.bin"))
    json.dump({"model": f"burstnc-x{a.scale}", "scale": a.scale, "frames": a.frames,
               "reference": model.ref, "steps": step, "wall_seconds": round(wall, 1),
               "seed": a.seed, "smoke": a.smoke, "params": trainable_parameters(model),
               "burst": {"max_shift_lr_px": a.max_shift, "max_degrees": a.max_degrees,
                         "train_sigma_max": a.max_sigma, "eval_sigmas": list(EVAL_SIGMAS)},
               "held_out": rows, "mean": means, "parity_input_shape": list(x.shape),
               "parity_output_shape": list(y.shape), "command": " ".join(sys.argv)},
              open(os.path.join(a.out, "metrics.json"), "w"), indent=2)
    print(f"wrote {onnx_path} after {step} steps in {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
