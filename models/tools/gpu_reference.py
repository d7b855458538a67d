#!/usr/bin/env python3
"""GPU-side reference timings of framewatch's ONNX models with ONNX Runtime (CUDA and CPU
execution providers). Used for docs/GPU.md; needs numpy and onnxruntime(-gpu), not Java.

usage: gpu_reference.py MODEL.onnx[:BATCH_FIXED] ...
"""
import sys
import time

import numpy as np
import onnxruntime as ort


def bench(path, providers, runs=300, warmup=30):
    sess = ort.InferenceSession(path, providers=providers)
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) and d > 0 else 1 for d in inp.shape]
    x = (np.random.default_rng(0).random(shape, dtype=np.float32) * 2 - 1)
    for _ in range(warmup):
        sess.run(None, {inp.name: x})
    t0 = time.perf_counter()
    for _ in range(runs):
        sess.run(None, {inp.name: x})
    dt = (time.perf_counter() - t0) / runs
    return sess.get_providers()[0], shape, dt


def main():
    print("onnxruntime", ort.__version__, "available:", ort.get_available_providers())
    try:
        import torch
        if torch.cuda.is_available():
            print("gpu:", torch.cuda.get_device_name(0), "torch", torch.__version__)
    except ImportError:
        pass
    for path in sys.argv[1:]:
        for prov in (["CUDAExecutionProvider", "CPUExecutionProvider"], ["CPUExecutionProvider"]):
            if prov[0] not in ort.get_available_providers():
                continue
            used, shape, dt = bench(path, prov)
            print(f"{path.split('/')[-1]} {used} input {shape}: {dt * 1e3:.3f} ms/run,"
                  f" {1 / dt:.0f} runs/s")


if __name__ == "__main__":
    main()
