#!/usr/bin/env python3
"""Within-pair ranking of a run on its test set: how often a forgery scores above the real frame
it was made from (same clip and frame, uncompressed), against the frame AUC, which compares it
with every real frame. A high pair rate with a low AUC means the network sees the blend but the
held-out person's real scores sit on the wrong side of the forgeries of other frames.

  /usr/bin/python3 models/deepfake/pair_rank.py .cache/deepfake/faces2 .cache/deepfake/caddm-v7-s5
"""
import os
import sys

import numpy as np


def pair_rates(test, p, crf=0):
    """kind -> (share of forgeries above their own real frame, pairs); plus real P(fake)
    percentiles 10/50/90."""
    sel = test["crf"] == crf
    keys = list(zip(test["clip"], test["frame"]))
    real = {keys[i]: p[i] for i in np.flatnonzero(sel & (test["kind"] == "real"))}
    rates = {}
    for kind in sorted(set(test["kind"][sel]) - {"real"}):
        won = [p[i] > real[keys[i]] for i in np.flatnonzero(sel & (test["kind"] == kind))
               if keys[i] in real]
        rates[kind] = (float(np.mean(won)), len(won))
    return rates, np.percentile(np.array(list(real.values())), [10, 50, 90])


def main(data, run):
    test = np.load(os.path.join(data, "test.npz"))
    p = np.load(os.path.join(run, "test_p_fake.npy"))
    if len(p) != len(test["y"]):
        raise SystemExit(f"{run} scored {len(p)} crops, {data} has {len(test['y'])}: other data?")
    rates, pct = pair_rates(test, p)
    for kind, (rate, n) in rates.items():
        print(f"{kind}: above its own real frame in {rate:.1%} of {n} pairs")
    print("real frames' P(fake) 10th / 50th / 90th percentile: "
          + " / ".join(f"{v:.3f}" for v in pct))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
