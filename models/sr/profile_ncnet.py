#!/usr/bin/env python3
"""NTIRE efficient-SR figures of NCNet at a given input size: parameters, FLOPs (2 x MACs of every
convolution), activations (elements of every convolution output), CPU runtime (PyTorch, 2 threads,
median of runs) and peak resident memory of a fresh process running one inference.

  /usr/bin/python3 models/sr/profile_ncnet.py --scale 3 --height 360 --width 640
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
from ncnet import NCNet, trainable_parameters  # noqa: E402


def conv_figures(model, h, w):
    macs = 0
    acts = 0
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            out = m.out_channels * h * w
            macs += out * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
            acts += out
    # the fixed nearest convolution: one multiply per output element
    macs += 3 * model.scale * model.scale * h * w
    acts += 3 * model.scale * model.scale * h * w
    return 2 * macs, acts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peak-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(2)
    model = NCNet(a.scale).eval()
    x = torch.rand(1, 3, a.height, a.width) * 255
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
    flops, acts = conv_figures(model, a.height, a.width)
    base = subprocess.run([sys.executable, "-c", "import torch, resource; torch.set_num_threads(2);"
                           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                          capture_output=True, text=True, check=True).stdout
    peak = subprocess.run([sys.executable, __file__, "--peak-only", "--scale", str(a.scale),
                           "--height", str(a.height), "--width", str(a.width)],
                          capture_output=True, text=True, check=True).stdout
    print(json.dumps({
        "input": [1, 3, a.height, a.width],
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
