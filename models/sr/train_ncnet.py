#!/usr/bin/env python3
"""Trains NCNet on real photos, evaluates it against bicubic on held-out photos, exports ONNX and
writes the files the Java parity test reads.

  /usr/bin/python3 models/sr/train_ncnet.py --scale 3 --minutes 40 --out .cache/sr/ncnet-x3
  /usr/bin/python3 models/sr/train_ncnet.py --smoke --out .cache/sr/ncnet-x3-smoke   (CI)

Writes OUT/ncnet-xS.onnx, OUT/metrics.json, OUT/parity-input.bin and OUT/parity-output.bin
(little-endian float32, shapes in metrics.json).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from ncnet import NCNet, trainable_parameters  # noqa: E402


def patches(hrs, scale, lr_size, batch, rng):
    hr_size = lr_size * scale
    xs, ys = [], []
    for _ in range(batch):
        hr = hrs[rng.randrange(len(hrs))]
        top = rng.randrange(hr.shape[2] - hr_size + 1)
        left = rng.randrange(hr.shape[3] - hr_size + 1)
        crop = hr[:, :, top:top + hr_size, left:left + hr_size]
        if rng.random() < 0.5:
            crop = crop.flip(3)
        if rng.random() < 0.5:
            crop = crop.flip(2)
        lr, crop = data.lr_of(crop, scale)
        xs.append(lr)
        ys.append(crop)
    return torch.cat(xs), torch.cat(ys)


def evaluate(model, held, scale):
    rows = []
    model.eval()
    with torch.no_grad():
        for path, hr in held:
            lr, hr = data.lr_of(hr, scale)
            sr = model(lr)
            bic = data.resize(lr, hr.shape[2], hr.shape[3])
            rows.append({"photo": data.photo_name(path),
                         "ncnet_rgb": data.psnr(sr, hr, scale),
                         "ncnet_y": data.psnr(sr, hr, scale, True),
                         "bicubic_rgb": data.psnr(bic, hr, scale),
                         "bicubic_y": data.psnr(bic, hr, scale, True)})
    model.train()
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "photo"}
    return mean, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=3)
    data.add_training_args(ap, batch=16, lr=5e-4)
    a = ap.parse_args()
    rng = data.start_training(a)
    train, held = data.training_photos(a)
    if a.smoke:
        a.steps, a.minutes = 20, 5
        held = [(p, hr[:, :, :96, :96]) for p, hr in held[:1]]
    print(f"photos: {len(train)} train, {len(held)} held out: "
          f"{[data.photo_name(p) for p, _ in held]}", flush=True)

    model = NCNet(a.scale)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    start = time.time()
    deadline = start + a.minutes * 60
    step = 0
    while step < a.steps and time.time() < deadline:
        x, y = patches(train, a.scale, a.patch, a.batch, rng)
        loss = torch.nn.functional.l1_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 500 == 0:
            frac = (time.time() - start) / (deadline - start)
            for g in opt.param_groups:  # cosine decay over the time budget
                g["lr"] = a.lr * 0.5 * (1 + np.cos(np.pi * min(1.0, frac)))
            print(f"step {step} loss {loss.item():.3f} {time.time() - start:.0f}s", flush=True)
    wall = time.time() - start
    mean, rows = evaluate(model, held, a.scale)
    print(json.dumps(mean), flush=True)

    model.eval()
    onnx_path = os.path.join(a.out, f"ncnet-x{a.scale}.onnx")
    dummy = torch.rand(1, 3, 32, 32) * 255
    torch.onnx.export(model, dummy, onnx_path, opset_version=13, input_names=["lr"],
                      output_names=["sr"],
                      dynamic_axes={"lr": {0: "n", 2: "h", 3: "w"}, "sr": {0: "n", 2: "H", 3: "W"}})
    g = torch.Generator().manual_seed(123)
    x = torch.rand(1, 3, 20, 24, generator=g) * 255
    with torch.no_grad():
        y = model(x)
    x.numpy().astype("<f4").tofile(os.path.join(a.out, "parity-input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(a.out, "parity-output.bin"))
    json.dump({"scale": a.scale, "steps": step, "wall_seconds": round(wall, 1), "seed": a.seed,
               "smoke": a.smoke, "params": trainable_parameters(model), "held_out": rows,
               "mean": mean, "parity_input_shape": list(x.shape),
               "parity_output_shape": list(y.shape), "command": " ".join(sys.argv)},
              open(os.path.join(a.out, "metrics.json"), "w"), indent=2)
    print(f"wrote {onnx_path} after {step} steps in {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
