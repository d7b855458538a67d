#!/usr/bin/env python3
"""Joins trained runs of train_detector.py into one detector whose P(fake) is the mean of theirs
(nets.Ensemble), measures it on the held-out identity and writes it as a run that ship.py takes:
OUT/NAME.onnx, OUT/metrics.json (with each member's exact training command), OUT/parity.json.

  /usr/bin/python3 models/deepfake/ensemble.py --data .cache/deepfake/faces4 \\
      --out .cache/deepfake/caddm-v12 --name caddm-v12 \\
      .cache/deepfake/caddm-v12-s5 .cache/deepfake/caddm-v12-s6

Which runs are joined is a recipe, decided before anyone looks at their held-out scores (the
status page records the rule each time); picking the best-scoring runs afterwards would be a
selection on the test set.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nets  # noqa: E402
import train_detector  # noqa: E402


def load_run(run):
    """The trained network of a train_detector.py run directory, and its metrics.json."""
    m = json.load(open(os.path.join(run, "metrics.json")))
    if m.get("members"):
        raise SystemExit(f"{run} is itself an ensemble; join its members instead")
    model = nets.build(m["arch"], m["backbone"], "--fst-artifact-head" in m["command"].split())
    model.load_state_dict(torch.load(os.path.join(run, "model.pt"), map_location="cpu"))
    return model.eval(), m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="train_detector.py output directories")
    ap.add_argument("--data", required=True, help="the build_faces.py output they were tested on")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if len(a.runs) < 2:
        raise SystemExit("an ensemble needs two or more runs")
    torch.set_num_threads(a.threads)
    loaded = [load_run(r) for r in a.runs]
    for _, m in loaded:
        data = m["command"].split()[m["command"].split().index("--data") + 1]
        if os.path.abspath(data) != os.path.abspath(a.data):
            raise SystemExit(f"{m['model']} was trained on {data}, not {a.data}")
    os.makedirs(a.out, exist_ok=True)
    test = dict(np.load(os.path.join(a.data, "test.npz")))
    members = [m for _, m in loaded]
    train_detector.write_run(
        nets.Ensemble([model for model, _ in loaded]), test, a.data, a.out, a.name,
        {"arch": "+".join(sorted({m["arch"] for m in members})),
         "backbone": "+".join(sorted({m["backbone"] for m in members})),
         "loss": "+".join(sorted({m["loss"] for m in members})),
         "steps": sum(m["steps"] for m in members),
         "wall_seconds": round(sum(m["wall_seconds"] for m in members), 1),
         "smoke": any(m["smoke"] for m in members), "train_crops": members[0]["train_crops"],
         "members": [{"model": m["model"], "steps": m["steps"], "wall_seconds": m["wall_seconds"],
                      "seed": m["seed"], "command": m["command"]} for m in members],
         "command": " ".join(["models/deepfake/ensemble.py"] + sys.argv[1:])})


if __name__ == "__main__":
    main()
