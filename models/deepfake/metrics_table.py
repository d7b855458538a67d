#!/usr/bin/env python3
"""Prints the held-out metrics of one or more train_detector.py runs as Markdown tables (what the
cards and the status page show), so that no figure is copied by hand.

  /usr/bin/python3 models/deepfake/metrics_table.py .cache/deepfake/caddm-demo/metrics.json ...
"""
import json
import sys


def table(paths):
    rows = ["| model | CRF | frame AUC | video AUC | self-blend AUC | swap AUC | "
            "mean P(fake) real / forged |", "|---|---|---|---|---|---|---|"]
    for path in paths:
        m = json.load(open(path))
        label = f"{m['model']} ({m['loss']})"
        for crf, r in m["held_out"].items():
            crf = crf.split("_", 1)[1]
            rows.append(f"| {label} | {'none' if crf == '0' else crf} | {r['frame_auc']:.3f} | "
                        f"{r['video_auc']:.3f} | {r['frame_auc_self_blend']:.3f} | "
                        f"{r['frame_auc_swap']:.3f} | {r['mean_p_fake_real']:.3f} / "
                        f"{r['mean_p_fake_fake']:.3f} |")
    return "\n".join(rows)


def run_line(path):
    m = json.load(open(path))
    if m.get("members"):  # ensemble.py
        return (f"{m['model']}: the mean P(fake) of "
                f"{' and '.join(x['model'] for x in m['members'])}, {m['params']:,} params, "
                f"{m['gmacs_per_face']} GMACs per face, ONNX {m['onnx_bytes']:,} bytes; "
                f"`{m['command']}`")
    return (f"{m['model']}: {m['steps']:,} steps, {m['epochs']} epochs in "
            f"{m['wall_seconds']:.0f} s, {m['params']:,} params, {m['gmacs_per_face']} GMACs per "
            f"face, ONNX {m['onnx_bytes']:,} bytes; `{m['command']}`")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(table(sys.argv[1:]))
    print()
    for p in sys.argv[1:]:
        print("- " + run_line(p))
