#!/usr/bin/env python3
"""caddm-demo's artifact map: where in the face crop the network sees blending artifacts.

CADDM's artifact-detection module (ADM) predicts, per cell of its maps, whether the cell holds a
blending artifact; caddm-demo was trained with those per-cell heads (nets.CaddmNet.adm_cls,
supervised by the forgeries' blend masks) but its ONNX export kept only `prob`, and the training
checkpoint is gone. This script gives the shipped model its map back without retraining:

  1. runs the shipped ONNX graph itself in PyTorch (OnnxGraph: its nodes and initializers as
     they are, batch norm already folded into the convolutions by the exporter) and checks it
     against the golden P(fake) of detect/'s parity test;
  2. freezes it and fits one 3x3 convolution (64 -> 1 logit per cell) on the 7x7 map after the
     first ADM block (TAP, where adm_cls[0] sat; 7x7 = 32 px cells of the 224 crop) against the
     blend masks of the TRAINING identities' forgeries (build_faces.py's train.npz; franck stays
     held out), the cell target being nets' region rule (a quarter of the cell blended);
  3. grafts that head onto the shipped graph as a second output `artifact` [N, 7, 7] (sigmoid,
     per-cell probability of a blending artifact): the nodes and initializers of `prob` are
     copied unchanged, so every classification figure of the model stays what it was;
  4. measures the map on the held-out person's forgeries, whose true blend masks are known:
     the pointing game (is the most artifact-like cell inside the mask?), IoU of the top box
     (decode()) with the mask, and chance baselines (a random cell; always the centre cell; a
     fixed centred box), per forgery kind and CRF.

  /usr/bin/python3 models/deepfake/artifact_map.py --data .cache/deepfake/faces2 \\
      --out .cache/deepfake/caddm-artifact [--ship]

--ship copies OUT/caddm-demo.onnx to models/weights/ and writes the new sha256, the `artifact`
output and the figures of OUT/artifact.json into models/manifests/caddm-demo.json.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SHIPPED = os.path.join(ROOT, "models", "weights", "caddm-demo.onnx")
MANIFEST = os.path.join(ROOT, "models", "manifests", "caddm-demo.json")
TAP = "/adm.0/Relu_1_output_0"  # 64 x 7 x 7: the map after the first ADM block
GRID = 7
CELL = 224 // GRID
THRESHOLD = 0.5  # a cell is an artifact cell when its probability reaches this
TOP = 3  # boxes kept per face
MASK_IN = 0.5  # a mask pixel is blended when the mask reaches this


# ------------------------------------------------------------------ decoding and the measures
# (the same rules as detect/'s ArtifactMaps, which its tests pin to the same cases)

def decode(heat, threshold=THRESHOLD, top=TOP):
    """The artifact boxes of one 7x7 map: each 4-connected group of cells at or above THRESHOLD
    becomes the box around its cells in crop pixels (x0, y0, x1, y1, 0-224), scored by its
    highest cell; the TOP best-scored, best first (ties: the group met first, row by row)."""
    heat = np.asarray(heat, np.float64)
    rows, cols = heat.shape
    seen = np.zeros(heat.shape, bool)
    boxes = []
    for r in range(rows):
        for c in range(cols):
            if seen[r, c] or heat[r, c] < threshold:
                continue
            stack, cells = [(r, c)], []
            seen[r, c] = True
            while stack:
                y, x = stack.pop()
                cells.append((y, x))
                for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    v, u = y + dy, x + dx
                    if 0 <= v < rows and 0 <= u < cols and not seen[v, u] \
                            and heat[v, u] >= threshold:
                        seen[v, u] = True
                        stack.append((v, u))
            ys, xs = [p[0] for p in cells], [p[1] for p in cells]
            cw, ch = 224 / cols, 224 / rows
            boxes.append((min(xs) * cw, min(ys) * ch, (max(xs) + 1) * cw, (max(ys) + 1) * ch,
                          float(max(heat[p] for p in cells))))
    boxes.sort(key=lambda b: -b[4])  # stable: equal scores keep raster order
    return boxes[:top]


def mask_pixels(mask):
    """A blend mask (28 x 28, 0-255 or 0-1) as a 224 x 224 boolean image of blended pixels."""
    m = np.asarray(mask, np.float64)
    if m.max() > 1.0:
        m = m / 255.0
    side = 224 // m.shape[0]
    return np.kron(m >= MASK_IN, np.ones((side, side), bool))


def box_pixels(box):
    img = np.zeros((224, 224), bool)
    x0, y0, x1, y1 = (int(round(v)) for v in box[:4])
    img[max(0, y0):min(224, y1), max(0, x0):min(224, x1)] = True
    return img


def iou(a, b):
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0


def cell_inside(mask_px, r, c):
    """Whether cell (r, c)'s centre pixel is blended."""
    return bool(mask_px[int((r + 0.5) * CELL), int((c + 0.5) * CELL)])


def measure(heat, mask, fixed_box=None):
    """One forgery: pointing-game hit, IoU of the top box with the blended pixels (0 without a
    box), and the baselines: the chance a random cell hits, the centre cell's hit, a fixed
    centred box's IoU (CENTRE_BOX) and FIXED_BOX's (default CENTRE_BOX; main() passes the box
    around the training forgeries' mean mask)."""
    px = mask_pixels(mask)
    r, c = np.unravel_index(int(np.argmax(heat)), np.shape(heat))
    boxes = decode(heat)
    inside = [cell_inside(px, i, j) for i in range(GRID) for j in range(GRID)]
    return {"hit": float(cell_inside(px, r, c)),
            "iou": iou(box_pixels(boxes[0]), px) if boxes else 0.0,
            "boxes": float(len(boxes)),
            "chance_hit": float(np.mean(inside)),
            "centre_hit": float(cell_inside(px, GRID // 2, GRID // 2)),
            "centre_box_iou": iou(box_pixels(CENTRE_BOX), px),
            "fixed_box_iou": iou(box_pixels(fixed_box or CENTRE_BOX), px)}


CENTRE_BOX = (2 * CELL, 2 * CELL, 5 * CELL, 5 * CELL)  # the middle 3 x 3 cells (64-160 px)


# ------------------------------------------------------------------ partial forgeries

def partial(real, fake, mask, rng):
    """A local forgery from a (real crop, forgery made from it) pair, pixel-aligned BGR CHW
    uint8, and the forgery's 28x28 blend mask: the forgery kept only inside a feathered ellipse
    (24-56 px radii) centred on a random blended pixel - an eye, the mouth, a cheek - the real
    crop elsewhere. Returns (crop, 28x28 mask 0-255 of what is now blended). Whole-face blends sit
    on the same cells of every aligned crop, so a map can score well on them by drawing the face;
    on these the place changes from face to face."""
    from PIL import Image
    m = np.asarray(Image.fromarray(np.asarray(mask, np.uint8)).resize((224, 224),
                                                                       Image.BILINEAR)) / 255.0
    ys, xs = np.nonzero(m >= MASK_IN)
    k = rng.randrange(len(ys))
    cy, cx = ys[k], xs[k]
    ry, rx = rng.uniform(24, 56), rng.uniform(24, 56)
    yy, xx = np.mgrid[0:224, 0:224]
    d = np.sqrt(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2)
    local = m * np.clip((1.2 - d) / 0.4, 0, 1)  # 1 inside 0.8 of the radii, 0 beyond 1.2
    out = real.astype(np.float32) + local[None] * (fake.astype(np.float32) - real)
    small = local.reshape(28, 8, 28, 8).mean((1, 3))
    return (np.clip(np.round(out), 0, 255).astype(np.uint8),
            np.clip(np.round(small * 255), 0, 255).astype(np.uint8))


def partials(data, seed):
    """One partial forgery per forgery of DATA that has its real crop (same clip, frame, CRF)."""
    import random
    rng = random.Random(seed)
    keys = list(zip(data["clip"], data["frame"], data["crf"]))
    real = {k: i for i, (k, y) in enumerate(zip(keys, data["y"])) if y == 0}
    xs, ms, idx = [], [], []
    for i, (k, y) in enumerate(zip(keys, data["y"])):
        if y == 1 and k in real and (data["mask"][i] >= 255 * MASK_IN).any():
            x, m = partial(data["x"][real[k]], data["x"][i], data["mask"][i], rng)
            xs.append(x)
            ms.append(m)
            idx.append(i)
    idx = np.array(idx)
    return {"x": np.stack(xs), "mask": np.stack(ms), "y": np.ones(len(idx), np.int64),
            "kind": np.array(["partial_" + str(k) for k in data["kind"][idx]]),
            "crf": data["crf"][idx]}


# ------------------------------------------------------------------ the shipped graph in torch

class OnnxGraph(torch.nn.Module):
    """An ONNX graph of the ops caddm-demo's export uses, run node by node in PyTorch with the
    graph's own initializers: the same arithmetic as the file, without rebuilding (and possibly
    mis-mapping) the torch modules it came from."""

    OPS = {"Div", "Sub", "Add", "Relu", "Conv", "GlobalAveragePool", "Flatten", "Gemm",
           "Softmax", "Constant"}

    def __init__(self, model):
        super().__init__()
        from onnx import numpy_helper
        self.nodes = list(model.graph.node)
        unknown = {n.op_type for n in self.nodes} - self.OPS
        if unknown:
            raise SystemExit(f"ops this runner does not know: {sorted(unknown)}")
        self.consts = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
                       for i in model.graph.initializer}
        for n in self.nodes:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = torch.from_numpy(
                    numpy_helper.to_array(n.attribute[0].t).copy())
        self.input = model.graph.input[0].name

    @staticmethod
    def _attrs(node):
        from onnx import helper
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def forward(self, x, wanted):
        env = dict(self.consts)
        env[self.input] = x
        for n in self.nodes:
            if n.op_type == "Constant":
                continue
            a = self._attrs(n)
            i = [env[k] for k in n.input]
            if n.op_type == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                if pads[:2] != pads[2:]:
                    raise SystemExit(f"{n.name}: asymmetric padding")
                y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", 1),
                             pads[:2], a.get("dilations", 1), a.get("group", 1))
            elif n.op_type == "Relu":
                y = F.relu(i[0])
            elif n.op_type in ("Div", "Sub", "Add"):
                y = {"Div": torch.div, "Sub": torch.sub, "Add": torch.add}[n.op_type](i[0], i[1])
            elif n.op_type == "GlobalAveragePool":
                y = i[0].mean((2, 3), keepdim=True)
            elif n.op_type == "Flatten":
                y = i[0].flatten(a.get("axis", 1))
            elif n.op_type == "Gemm":
                w = i[1].t() if a.get("transB", 0) else i[1]
                y = i[0] @ w + i[2]
            else:  # Softmax
                y = torch.softmax(i[0], a.get("axis", -1))
            env[n.output[0]] = y
        return [env[k] for k in wanted]


def run_graph(graph, x, wanted, batch=128):
    outs = [[] for _ in wanted]
    with torch.no_grad():
        for s in range(0, len(x), batch):
            ys = graph(torch.from_numpy(np.ascontiguousarray(x[s:s + batch])).float(), wanted)
            for o, y in zip(outs, ys):
                o.append(y)
    return [torch.cat(o) for o in outs]


# ------------------------------------------------------------------ the head and the graft

def targets(masks):
    """nets' region rule at 7x7: a cell is an artifact cell when a quarter of it is blended."""
    m = torch.from_numpy(np.asarray(masks)).float()[:, None] / 255.0
    return (F.adaptive_avg_pool2d(m, GRID) > 0.25).float()[:, 0]


def fit_head(feats, target, epochs, seed, lr=0.01, batch=256, balance=False):
    """A 3x3 convolution, 64 -> 1, on the frozen tap's features; binary cross-entropy per cell
    (balance: the positive cells weighted to balance the negatives). Returns (weight, bias,
    log)."""
    torch.manual_seed(seed)
    head = torch.nn.Conv2d(feats.shape[1], 1, 3, padding=1)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    pos = float(target.mean())
    weight = torch.tensor((1 - pos) / max(pos, 1e-6) if balance else 1.0)
    log = []
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(len(feats), generator=g)
        total = 0.0
        for s in range(0, len(perm), batch):
            idx = perm[s:s + batch]
            logit = head(feats[idx])[:, 0]
            loss = F.binary_cross_entropy_with_logits(logit, target[idx], pos_weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        for grp in opt.param_groups:
            grp["lr"] = lr * 0.5 * (1 + np.cos(np.pi * (epoch + 1) / epochs))
        log.append(round(total / len(feats), 4))
    return head.weight.detach().numpy(), head.bias.detach().numpy(), log


def graft(model, weight, bias):
    """The shipped model plus a second output `artifact` [N, 7, 7]: Conv(TAP) -> Sigmoid ->
    Reshape. The existing nodes and initializers are not touched."""
    from onnx import TensorProto, helper, numpy_helper
    g = model.graph
    if TAP not in {o for n in g.node for o in n.output}:
        raise SystemExit(f"the graph has no {TAP}: not caddm-demo's export")
    g.initializer.extend([numpy_helper.from_array(weight.astype(np.float32), "artifact.weight"),
                          numpy_helper.from_array(bias.astype(np.float32), "artifact.bias"),
                          numpy_helper.from_array(np.array([-1, GRID, GRID], np.int64),
                                                  "artifact.shape")])
    g.node.extend([
        helper.make_node("Conv", [TAP, "artifact.weight", "artifact.bias"], ["/artifact/Conv"],
                         name="/artifact/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Sigmoid", ["/artifact/Conv"], ["/artifact/Sigmoid"],
                         name="/artifact/Sigmoid"),
        helper.make_node("Reshape", ["/artifact/Sigmoid", "artifact.shape"], ["artifact"],
                         name="/artifact/Reshape")])
    g.output.append(helper.make_tensor_value_info("artifact", TensorProto.FLOAT,
                                                  ["n", GRID, GRID]))
    return model


def prob_only(model):
    """MODEL without a grafted artifact head (the file as train_detector.py exported it)."""
    names = {"artifact.weight", "artifact.bias", "artifact.shape"}
    keep = [i for i in model.graph.initializer if i.name not in names]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    nodes = [n for n in model.graph.node if not n.name.startswith("/artifact/")]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    outputs = [o for o in model.graph.output if o.name != "artifact"]
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    return model


def prob_path_unchanged(before, after):
    """Every node and initializer of BEFORE is in AFTER, byte for byte, in the same order."""
    nb, na = len(before.graph.node), len(before.graph.initializer)
    return (all(a.SerializeToString() == b.SerializeToString()
                for a, b in zip(before.graph.node, after.graph.node[:nb]))
            and all(a.SerializeToString() == b.SerializeToString()
                    for a, b in zip(before.graph.initializer, after.graph.initializer[:na]))
            and after.graph.output[0].SerializeToString()
            == before.graph.output[0].SerializeToString())


def heat_of(graph_out, weight, bias):
    with torch.no_grad():
        return torch.sigmoid(F.conv2d(graph_out, torch.from_numpy(weight),
                                      torch.from_numpy(bias), padding=1))[:, 0].numpy()


def mean_mask_box(data):
    """The box (in whole cells) around the cells that are blended in at least half of DATA's
    forgeries: the best a map that always draws the same box can do, learnt from training."""
    forged = data["mask"][data["y"] == 1].astype(np.float64) / 255.0
    cells = forged.reshape(len(forged), GRID, 4, GRID, 4).mean((2, 4)) > 0.25
    ys, xs = np.nonzero(cells.mean(0) >= 0.5)
    return tuple(int(v) for v in (xs.min() * CELL, ys.min() * CELL, (xs.max() + 1) * CELL,
                                  (ys.max() + 1) * CELL))


def evaluate(heat, test, fixed_box=None):
    """The measures per (kind, CRF) over the held-out forgeries, and over all of them."""
    rows = {}
    forged = np.flatnonzero(test["y"] == 1)
    per = [measure(heat[i], test["mask"][i], fixed_box) for i in forged]
    keys = list(per[0])
    groups = {"all": np.ones(len(forged), bool)}
    for kind in sorted(set(test["kind"][forged].tolist())):
        for crf in sorted(set(test["crf"][forged].tolist())):
            groups[f"{kind}_crf_{crf}"] = (test["kind"][forged] == kind) & \
                (test["crf"][forged] == crf)
    for name, sel in groups.items():
        rows[name] = dict({k: round(float(np.mean([p[k] for p, s in zip(per, sel) if s])), 4)
                           for k in keys}, faces=int(sel.sum()))
    real = np.flatnonzero(test["y"] == 0)
    if not len(real):
        return rows
    rows["real_faces_with_a_box"] = round(float(np.mean([len(decode(heat[i])) > 0
                                                         for i in real])), 4)
    rows["real_mean_max_cell"] = round(float(np.mean(heat[real].max((1, 2)))), 4)
    return rows


def parity(graph, data):
    """The runner's P(fake) of the golden crops against detect/'s committed parity values."""
    gold = os.path.join(data, "golden", "crops.bin")
    crops = np.fromfile(gold, "<f4").reshape(-1, 3, 224, 224)
    p = run_graph(graph, crops, ["prob"])[0][:, 1].numpy()
    ref = json.load(open(os.path.join(ROOT, "detect", "src", "test", "resources", "golden",
                                      "caddm-demo", "parity.json")))["p_fake"]
    return float(np.max(np.abs(p - np.asarray(ref))))


def ship(out):
    """Copies OUT/caddm-demo.onnx over the shipped file and updates its manifest from
    OUT/artifact.json: sha256, the `artifact` output and the artifact_map_* figures."""
    import shutil
    result = json.load(open(os.path.join(out, "artifact.json")))
    shutil.copyfile(os.path.join(out, "caddm-demo.onnx"), SHIPPED)
    digest = hashlib.sha256(open(SHIPPED, "rb").read()).hexdigest()
    m = json.load(open(MANIFEST))
    m["sha256"] = digest
    m["outputs"] = [o for o in m["outputs"] if o["name"] != "artifact"] + [
        {"name": "artifact", "shape": [-1, GRID, GRID], "layout": "NHW", "dtype": "float32"}]
    m["source"]["artifact_head"] = "/usr/bin/python3 " + result["command"]
    held = result["held_out"]
    metrics = {k: v for k, v in m["metrics"].items() if not k.startswith("artifact_")}
    rows = [(held[g], "" if g == "all" else "_" + g) for g in
            ("all", "self_blend_crf_0", "swap_crf_0", "self_blend_crf_40", "swap_crf_40")]
    rows.append((result["held_out_partial"]["all"], "_partial"))
    for row, suffix in rows:
        for k in ("hit", "chance_hit", "centre_hit", "iou", "centre_box_iou", "fixed_box_iou"):
            metrics[f"artifact_{k}{suffix}"] = row[k]
    metrics["artifact_real_faces_with_a_box"] = held["real_faces_with_a_box"]
    metrics["artifact_head_fit_seconds"] = result["fit_seconds"]
    m["metrics"] = metrics
    text = json.dumps(m, indent=2)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]",
                  lambda g: "[" + ", ".join(v.strip() for v in g.group(1).split(",")) + "]", text)
    with open(MANIFEST, "w") as f:
        f.write(text + "\n")
    print(f"shipped caddm-demo with its artifact map: sha256 {digest[:12]}...")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="build_faces.py output (franck held out)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default=SHIPPED, help="the shipped caddm-demo.onnx (prob only)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--balance", action="store_true",
                    help="weight the artifact cells up to balance the others (more boxes)")
    ap.add_argument("--partial", action="store_true",
                    help="fit on partial forgeries of the training pairs too (partials())")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ship", action="store_true")
    a = ap.parse_args()
    import onnx
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    info = json.load(open(os.path.join(a.data, "dataset.json")))
    if info.get("hold_out", "franck") != "franck" or info.get("smoke"):
        raise SystemExit(f"{a.data}: a full dataset with franck held out is needed")
    shipped = prob_only(onnx.load(a.model))  # a shipped map is replaced, never stacked
    graph = OnnxGraph(shipped)
    gap = parity(graph, a.data)
    print(f"runner vs committed golden P(fake): max |diff| {gap:.2e}", flush=True)
    if gap > 1e-5:
        raise SystemExit("the runner does not reproduce the shipped model")

    start = time.time()
    train = dict(np.load(os.path.join(a.data, "train.npz")))
    test = dict(np.load(os.path.join(a.data, "test.npz")))
    fit_x, fit_mask = train["x"], train["mask"]
    if a.partial:
        more = partials(train, a.seed)
        fit_x = np.concatenate([fit_x, more["x"]])
        fit_mask = np.concatenate([fit_mask, more["mask"]])
    feats = run_graph(graph, fit_x, [TAP])[0]
    target = targets(fit_mask)
    weight, bias, log = fit_head(feats, target, a.epochs, a.seed, balance=a.balance)
    fit_seconds = round(time.time() - start, 1)
    print(f"fitted on {len(feats)} training crops in {fit_seconds}s, loss {log[0]} -> {log[-1]}",
          flush=True)
    train_heat = heat_of(feats[:len(train["x"])], weight, bias)
    heat = heat_of(run_graph(graph, test["x"], [TAP])[0], weight, bias)
    test_partial = partials(test, a.seed + 1)
    heat_partial = heat_of(run_graph(graph, test_partial["x"], [TAP])[0], weight, bias)
    box = mean_mask_box(train)

    grafted = graft(prob_only(onnx.load(a.model)), weight, bias)
    onnx.checker.check_model(grafted)
    if not prob_path_unchanged(shipped, grafted):
        raise SystemExit("the graft changed the prob path")
    path = os.path.join(a.out, "caddm-demo.onnx")
    onnx.save(grafted, path)
    result = {"command": " ".join(sys.argv), "tap": TAP, "threshold": THRESHOLD,
              "fit_seconds": fit_seconds, "epochs": a.epochs, "seed": a.seed, "balance": a.balance,
              "train_crops": int(len(train["x"])), "fit_crops": int(len(feats)), "train_positive_cells": round(float(target.mean()), 4),
              "loss": log, "runner_parity_max_abs": gap,
              "fixed_box": box, "partial": a.partial,
              "train": evaluate(train_heat, train, box), "held_out": evaluate(heat, test, box),
              "held_out_partial": evaluate(heat_partial, test_partial, box),
              "onnx_bytes": os.path.getsize(path)}
    json.dump(result, open(os.path.join(a.out, "artifact.json"), "w"), indent=2)
    np.save(os.path.join(a.out, "test_artifact.npy"), heat)
    for part in ("held_out", "held_out_partial"):
        for k, v in result[part].items():
            print(part, k, json.dumps(v), flush=True)
    if a.ship:
        ship(a.out)


if __name__ == "__main__":
    main()
