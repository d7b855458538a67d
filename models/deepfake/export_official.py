#!/usr/bin/env python3
"""Turns a CADDM checkpoint trained with the official code into a framewatch model: ONNX file,
manifest and parity files, ready for FRAMEWATCH_MODELS_DIR.

  models/export-official --repo ~/src/CADDM --checkpoint ~/src/CADDM/checkpoints/resnet34.pkl \\
      --backbone resnet34 --id caddm-resnet34 --out-dir ~/framewatch-models

It imports the model class from the user's own checkout (backbones/caddm.py, class CADDM built
as CADDM(2, backbone=NAME)); framewatch ships none of that code. The checkpoint is the dict the
official training saves ({"network": state_dict, ...}; a bare state_dict and DataParallel's
"module." prefixes are accepted too) and is loaded strictly. In eval mode the official network
ends in a softmax, so the export is the whole network - artifact-detection module included - from
the BGR 0-255 224x224 crop to [N, 2] probabilities with P(fake) in column 1.

When the network also gives its artifact-detection module's per-cell outputs - a method
forward_train(x) returning (logits, [per-cell logits [N, 2, H, W], ...]), as framewatch's
CADDM-style nets and the stand-in checkout do - the export gets a second output `artifact`
[N, H, W], the per-cell probability of a blending artifact at the first (finest) scale, which
detect/ decodes into artifact boxes (docs/MODELS.md). `prob` is then computed from the same
logits, checked against the network's own eval output before anything is written. (The official
repository's ADM predicts SSD-style anchor offsets and confidences instead; those need its prior
boxes to decode and are not exported.)

Then `framewatch models verify ID` (with FRAMEWATCH_MODELS_DIR=OUT_DIR) checks the digest, the
graph's inputs and outputs, and ONNX Runtime against PyTorch on the parity input written here.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch


def load_network(repo, backbone):
    repo = os.path.abspath(repo)
    if not os.path.isfile(os.path.join(repo, "backbones", "caddm.py")):
        raise SystemExit(f"{repo} does not look like a CADDM checkout: backbones/caddm.py missing")
    sys.path.insert(0, repo)
    from backbones.caddm import CADDM  # the user's checkout
    try:
        return CADDM(2, backbone=backbone)
    except FileNotFoundError as e:
        raise SystemExit(f"the official code wanted a file to build {backbone}: {e} (its "
                         f"EfficientNet backbones load ImageNet weights from a fixed path; put "
                         f"them there, or export from the machine you trained on)")


def load_state(path):
    ckpt = torch.load(path, map_location="cpu")
    state = ckpt.get("network", ckpt) if isinstance(ckpt, dict) else ckpt
    if not isinstance(state, dict):
        raise SystemExit(f"{path}: no state_dict (expected a dict with key 'network')")
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}


class WithArtifact(torch.nn.Module):
    """The network with two outputs: softmax of its logits, and P(artifact) per cell of its
    first per-cell map."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits, maps = self.net.forward_train(x)
        return torch.softmax(logits, 1), torch.softmax(maps[0], 1)[:, 1]


def artifact_wrapper(net, x, prob):
    """WithArtifact(net) when the network has per-cell artifact outputs that fit, else None."""
    if not callable(getattr(net, "forward_train", None)):
        return None
    wrapped = WithArtifact(net).eval()
    try:
        with torch.no_grad():
            p, a = wrapped(x)
    except (TypeError, ValueError, IndexError, RuntimeError) as e:
        print(f"no artifact output: forward_train does not give (logits, maps): {e}")
        return None
    if a.dim() != 3 or a.shape[0] != x.shape[0]:
        print(f"no artifact output: its first map has shape {tuple(a.shape)}, not [N, H, W]")
        return None
    if not torch.allclose(p, prob, atol=1e-6):
        raise SystemExit("forward_train's logits do not give the network's own eval output")
    return wrapped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", required=True, help="checkout of the official CADDM repository")
    ap.add_argument("--checkpoint", required=True, help="e.g. checkpoints/resnet34.pkl")
    ap.add_argument("--backbone", default="resnet34",
                    help="as in the official config: resnet34, efficientnet-b3, efficientnet-b4")
    ap.add_argument("--id", required=True, help="framewatch model id, e.g. caddm-resnet34")
    ap.add_argument("--out-dir", required=True, help="becomes FRAMEWATCH_MODELS_DIR")
    ap.add_argument("--opset", type=int, default=13)
    a = ap.parse_args()

    net = load_network(a.repo, a.backbone)
    try:
        net.load_state_dict(load_state(a.checkpoint), strict=True)
    except RuntimeError as e:
        raise SystemExit(f"{a.checkpoint} does not fit CADDM({a.backbone}): {e}")
    net.eval()
    os.makedirs(a.out_dir, exist_ok=True)
    onnx_path = os.path.join(a.out_dir, f"{a.id}.onnx")
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 224, 224, generator=g) * 255
    with torch.no_grad():
        y = net(x)
    if tuple(y.shape) != (2, 2) or not torch.allclose(y.sum(1), torch.ones(2), atol=1e-4):
        raise SystemExit(f"the network in eval mode should give [N, 2] softmax probabilities, got "
                         f"{tuple(y.shape)} summing to {y.sum(1).tolist()}")
    wrapped = artifact_wrapper(net, x, y)
    names = ["prob"] + (["artifact"] if wrapped is not None else [])
    torch.onnx.export(wrapped if wrapped is not None else net, torch.rand(1, 3, 224, 224) * 255, onnx_path,
                      opset_version=a.opset, input_names=["input"], output_names=names,
                      dynamic_axes=dict({n: {0: "n"} for n in names}, input={0: "n"}))
    base = os.path.join(a.out_dir, a.id)
    x.numpy().astype("<f4").tofile(base + ".parity-input.bin")
    y.numpy().astype("<f4").tofile(base + ".parity-output.bin")
    if wrapped is not None:
        with torch.no_grad():
            art = wrapped(x)[1]
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    image = {"layout": "NCHW", "dtype": "float32", "colour": "BGR", "range": [0, 255]}
    manifest = {
        "id": a.id,
        "task": "deepfake-classification",
        "file": os.path.basename(onnx_path),
        "sha256": digest,
        "source": {"userSupplied": True,
                   "command": " ".join(["models/export-official"] + sys.argv[1:])},
        "licence": "the checkpoint's own terms (official CADDM code and weights)",
        "preprocessing": "caddm-crop-bgr-0-255",
        "inputs": [dict(name="input", shape=[-1, 3, 224, 224], **image)],
        "outputs": [{"name": "prob", "shape": [-1, 2], "layout": "NC", "dtype": "float32"}]
        + ([{"name": "artifact", "shape": [-1] + list(art.shape[1:]), "layout": "NHW",
             "dtype": "float32"}] if wrapped is not None else []),
        "parity": {"input": os.path.basename(base) + ".parity-input.bin",
                   "output": os.path.basename(base) + ".parity-output.bin",
                   "inputShape": list(x.shape), "outputShape": list(y.shape),
                   "tolerance": 1e-4},
        "metrics": {"params": int(sum(p.numel() for p in net.parameters()))},
    }
    with open(base + ".json", "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes, sha256 {digest[:12]}...) and "
          f"{base}.json; check it with:\n  FRAMEWATCH_MODELS_DIR={a.out_dir} "
          f"./framewatch models verify {a.id}")


if __name__ == "__main__":
    main()
