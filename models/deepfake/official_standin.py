#!/usr/bin/env python3
"""A stand-in for a checkout of the official CADDM repository, to test export-official here:
backbones/caddm.py with a class CADDM(num_classes, backbone=...) - built from framewatch's own
CADDM-style architecture (nets.py), since the official code is not ours to ship - and a
checkpoint of random weights saved the way the official training saves ({"network": ...}).

  /usr/bin/python3 models/deepfake/official_standin.py --out DIR [--backbone resnet34]
  -> DIR/checkout (use as --repo) and DIR/checkpoint.pkl
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

MODULE = '''import sys
sys.path.insert(0, {here!r})
from nets import CaddmNet


class CADDM(CaddmNet):
    def __init__(self, num_classes, backbone="resnet34"):
        if num_classes != 2:
            raise ValueError("two classes")
        super().__init__(backbone)
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--backbone", default="resnet34")
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    pkg = os.path.join(a.out, "checkout", "backbones")
    os.makedirs(pkg, exist_ok=True)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    with open(os.path.join(pkg, "caddm.py"), "w") as f:
        f.write(MODULE.format(here=HERE))
    sys.path.insert(0, os.path.join(a.out, "checkout"))
    from backbones.caddm import CADDM
    torch.manual_seed(a.seed)
    net = CADDM(2, backbone=a.backbone)
    # random batch-norm statistics too, so that eval mode is exercised with non-trivial values
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    torch.save({"network": net.state_dict(), "epoch": 0}, os.path.join(a.out, "checkpoint.pkl"))
    print(f"stand-in checkout in {a.out}/checkout, checkpoint {a.out}/checkpoint.pkl")


if __name__ == "__main__":
    main()
