#!/usr/bin/env python3
"""GPU reference timing of NCNet with PyTorch (random weights: runtime does not depend on them).

usage (from the repository root, on a CUDA machine): python3 models/tools/gpu_ncnet_timing.py
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sr"))
from ncnet import NCNet  # noqa: E402

print("gpu", torch.cuda.get_device_name(0), "torch", torch.__version__)
model = NCNet(3).cuda().eval()
x = torch.rand(1, 3, 360, 640, device="cuda") * 255
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
    print(f"ncnet-x3 360p->1080p {dtype}: {dt * 1e3:.3f} ms/frame, {1 / dt:.0f} fps")
