#!/usr/bin/env python3
"""GPU reference timings of framewatch's models with PyTorch (random weights: runtime does not
depend on them): NCNet x3 and BurstNC x3 at 360p -> 1080p, and the two demo deepfake detectors
on 224x224 face crops at batch 1 and 32. FP32 and FP16, 10 warm-up runs, then the mean of 100.

usage (from the repository root, on a CUDA machine): python3 models/tools/gpu_timing.py
"""
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sr"))
sys.path.insert(0, os.path.join(HERE, "..", "deepfake"))
from burst import BurstNC  # noqa: E402
from ncnet import NCNet  # noqa: E402
import nets  # noqa: E402


def timed(name, model, x, unit, per):
    for dtype in (torch.float32, torch.float16):
        m = model.to(dtype)
        xx = x.to(dtype)
        with torch.no_grad():
            for _ in range(10):
                m(xx)
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            runs = 100
            for _ in range(runs):
                m(xx)
            torch.cuda.synchronize()
            dt = (time.perf_counter() - t0) / runs
        print(f"{name} {dtype}: {dt * 1e3:.3f} ms per run, {per / dt:.0f} {unit}/s", flush=True)


print("gpu", torch.cuda.get_device_name(0), "torch", torch.__version__, flush=True)
timed("ncnet-x3 360p->1080p", NCNet(3).cuda().eval(),
      torch.rand(1, 3, 360, 640, device="cuda") * 255, "frames", 1)
timed("burstnc-x3 K=5 360p->1080p", BurstNC(3, 5).cuda().eval(),
      torch.rand(1, 5, 3, 360, 640, device="cuda") * 255, "bursts", 1)
for arch in ("caddm", "fst"):
    for batch in (1, 32):
        timed(f"{arch}-demo batch {batch}", nets.build(arch).cuda().eval(),
              torch.rand(batch, 3, 224, 224, device="cuda") * 255, "faces", batch)
