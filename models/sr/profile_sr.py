#!/usr/bin/env python3
"""NTIRE efficient-SR figures of an SR network at a given input size: parameters, FLOPs (2 x
multiply-accumulates), activations (elements of every convolution output), CPU runtime (PyTorch,
2 threads, median of runs) and peak resident memory of a fresh process running one inference.

  /usr/bin/python3 models/sr/profile_sr.py --model ncnet --scale 3 --height 360 --width 640
  /usr/bin/python3 models/sr/profile_sr.py --model burstnc --scale 3 --height 360 --width 640

Counted: every nn.Conv2d at its real output size (hooks), NCNet's fixed nearest convolution, and
for BurstNC the correlation (one multiply-add per channel, displacement and half-resolution pixel)
and GridSample (4 multiply-adds per output element).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from burst import BurstNC, FlowNet  # noqa: E402
from ncnet import NCNet, NearestConv, trainable_parameters  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import opcount  # noqa: E402


def build(name, scale):
    return NCNet(scale) if name == "ncnet" else BurstNC(scale, 5)


def example(name, h, w):
    return torch.rand(1, 3, h, w) * 255 if name == "ncnet" else torch.rand(1, 5, 3, h, w) * 255


def figures(model, x):
    def nearest(m, i, o):
        return o.numel(), o.numel()  # one multiply per output element

    def flow(m, i, o):
        ref = i[0]
        half = ((ref.shape[2] + 1) // 2) * ((ref.shape[3] + 1) // 2)
        taps = (2 * m.RADIUS + 1) ** 2
        return (ref.shape[0] * half * taps * m.features[-1].out_channels
                + 4 * 3 * ref.shape[0] * ref.shape[2] * ref.shape[3], 0)  # + the inner warp

    macs, acts = opcount.count(model, x, extra={NearestConv: nearest, FlowNet: flow})
    if isinstance(model, BurstNC):  # the alignment warp of K-1 neighbours
        n, k, c, h, w = x.shape
        macs += 4 * c * n * (k - 1) * h * w
    return 2 * macs, acts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["ncnet", "burstnc"], default="ncnet")
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peak-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(2)
    if not a.peak_only:
        # before this process grows: Linux children start with their parent's maximum RSS
        base = subprocess.run([sys.executable, "-c", "import torch, resource; torch.set_num_threads(2);"
                               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                              capture_output=True, text=True, check=True).stdout
        peak = subprocess.run([sys.executable, __file__, "--peak-only", "--model", a.model,
                               "--scale", str(a.scale), "--height", str(a.height),
                               "--width", str(a.width)],
                              capture_output=True, text=True, check=True).stdout
    model = build(a.model, a.scale).eval()
    x = example(a.model, a.height, a.width)
    if a.peak_only:
        with torch.no_grad():
            model(x)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return
    times = []
    with torch.no_grad():
        model(x)
        for _ in range(a.runs):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    times.sort()
    flops, acts = figures(model, x)
    print(json.dumps({
        "model": a.model,
        "input": list(x.shape),
        "output": [1, 3, a.height * a.scale, a.width * a.scale],
        "params": trainable_parameters(model),
        "gflops": round(flops / 1e9, 2),
        "activations_m": round(acts / 1e6, 1),
        "cpu_runtime_ms_median": round(times[len(times) // 2] * 1e3, 1),
        "peak_rss_mib_inference": round((int(peak) - int(base)) / 1024, 1),
        "threads": 2,
    }, indent=2))


if __name__ == "__main__":
    main()
