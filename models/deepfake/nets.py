"""Deepfake classifiers with the official I/O contract: input [N, 3, 224, 224] BGR float 0-255
(the CADDM crop, no normalisation outside the network), output [N, 2] softmax probabilities with
P(fake) in column 1.

  CaddmNet  backbone -> feature map; global average pool; an artifact-detection module (ADM) of
            convolutions that shrink the map to 1x1 (7 -> 7 -> 5 -> 3 -> 1 at 224 input) whose
            features are added to the global features; linear -> 2; softmax. While training it
            also returns per-cell artifact logits at each ADM scale (what the blend masks of our
            forgeries supervise).
  FstNet    FST-Matching style: two encoders (source and target) with squeeze-and-excitation,
            a classifier over the concatenated pooled features; softmax. Built with
            artifact_head=True it also returns, while training, per-cell artifact logits from the
            target encoder's map (a 1x1 convolution outside the inference graph, so exports and
            official checkpoints are unchanged).

Backbones (our code; architecture facts from the papers): ResNet with BasicBlocks and optional SE
- "resnet18", "resnet34" (full widths 64-512), "narrow" (a 4x4 stride-4 stem, then 16-32-48-64
with one block per stage, for the committed demo weights; variants "narrow-wide" 24-48-72-96,
"narrow-deep" two blocks at stride 16, "narrow-conv" two 3x3 stride-2 stem convolutions) - and
"efficientnet-b4" (torchvision's definition, 1792 features) - and "faceapi": face-api.js's face
feature extractor (faceapi.py; train_detector.py starts it from face-api's published landmark-net
weights) on the crop averaged down to 112 -> 7x7x256, 1x1 convolution to 64 channels.
"""
import torch
from torch import nn
from torch.nn import functional as F

import faceapi

RESNETS = {
    "narrow": ((16, 32, 48, 64), (1, 1, 1, 1)),
    "narrow-wide": ((24, 48, 72, 96), (1, 1, 1, 1)),
    "narrow-deep": ((16, 32, 48, 64), (1, 1, 2, 1)),
    "narrow-conv": ((16, 32, 48, 64), (1, 1, 1, 1)),
    "resnet18": ((64, 128, 256, 512), (2, 2, 2, 2)),
    "resnet34": ((64, 128, 256, 512), (3, 4, 6, 3)),
}


class SqueezeExcite(nn.Module):
    def __init__(self, ch, reduction=8):
        super().__init__()
        self.fc1 = nn.Conv2d(ch, max(4, ch // reduction), 1)
        self.fc2 = nn.Conv2d(max(4, ch // reduction), ch, 1)

    def forward(self, x):
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * w


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, se):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.se = SqueezeExcite(cout) if se else nn.Identity()
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.se(self.bn2(self.conv2(y)))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet(nn.Module):
    """Stride-32 ResNet trunk: 224 -> 7x7 map of `channels` features."""

    def __init__(self, name="narrow", se=False):
        super().__init__()
        widths, blocks = RESNETS[name]
        if name == "narrow-conv":  # two 3x3 stride-2 convolutions (a finer look at 112x112)
            stem = widths[0]
            self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False),
                                      nn.BatchNorm2d(stem), nn.ReLU(inplace=True),
                                      nn.Conv2d(stem, stem, 3, 2, 1, bias=False),
                                      nn.BatchNorm2d(stem), nn.ReLU(inplace=True))
        elif name.startswith("narrow"):  # one 4x4 stride-4 convolution: CPU training cannot
            stem = widths[0]             # afford 112x112
            self.stem = nn.Sequential(nn.Conv2d(3, stem, 4, 4, bias=False),
                                      nn.BatchNorm2d(stem), nn.ReLU(inplace=True))
        else:  # the published ResNet stem
            stem = 64
            self.stem = nn.Sequential(nn.Conv2d(3, stem, 7, 2, 3, bias=False),
                                      nn.BatchNorm2d(stem), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(3, 2, 1))
        layers, cin = [], stem
        for i, (w, n) in enumerate(zip(widths, blocks)):
            for j in range(n):
                layers.append(BasicBlock(cin, w, 2 if (j == 0 and i > 0) else 1, se))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.channels = cin

    def forward(self, x):
        return self.layers(self.stem(x))


class EfficientNetB4(nn.Module):
    def __init__(self):
        super().__init__()
        import torchvision
        self.features = torchvision.models.efficientnet_b4(weights=None).features
        self.channels = 1792

    def forward(self, x):
        return self.features(x)


class FaceApiBackbone(nn.Module):
    """face-api's feature extractor at its own scale: the 224 crop averaged down to 112 (2x2),
    -> 7x7x256, then a 1x1 convolution to the 64 channels the ADM works on. Takes to_unit's
    scaling and converts it to face-api's own (RGB, mean-subtracted, / 255) exactly. (At 224 the
    depthwise convolutions cost about 12x the time per training step on this CPU.)"""

    def __init__(self):
        super().__init__()
        self.features = faceapi.FaceFeatures()
        self.reduce = nn.Sequential(nn.Conv2d(self.features.channels, 64, 1, bias=False),
                                    nn.BatchNorm2d(64), nn.ReLU(inplace=True))
        self.channels = 64

    def forward(self, x):
        x = F.avg_pool2d(faceapi.normalise_bgr((x + 1.0) * 127.5), 2)
        return self.reduce(self.features(x))


def backbone(name, se=False):
    if name == "faceapi":
        return FaceApiBackbone()
    return EfficientNetB4() if name == "efficientnet-b4" else ResNet(name, se)


def to_unit(x):
    """BGR 0-255 -> roughly zero-centred; part of the network so the contract stays 0-255."""
    return x / 127.5 - 1.0


class AdmBlock(nn.Module):
    """Residual block that shrinks the map by kernel-1 pixels (no padding)."""

    def __init__(self, ch, kernel):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, kernel, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)
        self.down = nn.Sequential(nn.Conv2d(ch, ch, kernel, bias=False), nn.BatchNorm2d(ch))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + self.down(x))


class CaddmNet(nn.Module):
    def __init__(self, backbone_name="narrow"):
        super().__init__()
        self.backbone = backbone(backbone_name)
        c = self.backbone.channels
        # 7 -> 7 -> 5 -> 3, then a 3x3 end convolution -> 1
        self.adm = nn.ModuleList([AdmBlock(c, 1), AdmBlock(c, 3), AdmBlock(c, 3)])
        self.adm_end = nn.Conv2d(c, c, 3)
        # per-cell artifact logits at each scale (training only)
        self.adm_cls = nn.ModuleList([nn.Conv2d(c, 2, 3, padding=1) for _ in range(3)] +
                                     [nn.Conv2d(c, 2, 1)])
        self.fc = nn.Linear(c, 2)

    def forward_train(self, x):
        f = self.backbone(to_unit(x))
        maps = []
        a = f
        for block in self.adm:
            a = block(a)
            maps.append(a)
        a = self.adm_end(a)
        maps.append(a)
        feat = F.adaptive_avg_pool2d(f, 1).flatten(1) + a.flatten(1)
        return self.fc(feat), [head(m) for head, m in zip(self.adm_cls, maps)]

    def forward(self, x):
        return torch.softmax(self.forward_train(x)[0], dim=1)


class FstNet(nn.Module):
    def __init__(self, backbone_name="narrow", artifact_head=False):
        super().__init__()
        self.source = backbone(backbone_name, se=True)
        self.target = backbone(backbone_name, se=True)
        c = self.source.channels + self.target.channels
        self.classifier = nn.Sequential(nn.Linear(c, c // 2), nn.ReLU(inplace=True),
                                        nn.Linear(c // 2, 2))
        self.artifact = nn.Conv2d(self.target.channels, 2, 1) if artifact_head else None

    def forward_train(self, x):
        u = to_unit(x)
        s = F.adaptive_avg_pool2d(self.source(u), 1).flatten(1)
        tmap = self.target(u)
        t = F.adaptive_avg_pool2d(tmap, 1).flatten(1)
        maps = [self.artifact(tmap)] if self.artifact is not None and self.training else []
        return self.classifier(torch.cat([s, t], 1)), maps

    def forward(self, x):
        return torch.softmax(self.forward_train(x)[0], dim=1)


class Ensemble(nn.Module):
    """Several trained detectors as one: the mean of their softmax outputs, so the same I/O
    contract ([N, 3, 224, 224] BGR 0-255 -> [N, 2], P(fake) in column 1)."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([m(x) for m in self.members]).mean(0)


def build(arch, backbone_name="narrow", artifact_head=False):
    """artifact_head: FstNet's training-only artifact logits (CaddmNet always has its ADM)."""
    if arch == "caddm":
        return CaddmNet(backbone_name)
    if arch == "fst":
        return FstNet(backbone_name, artifact_head)
    raise ValueError(f"unknown architecture {arch!r} (caddm or fst)")


def zipf_targets(logits, y, smoothing=0.1, power=1.0):
    """Zipf's label smoothing: the target keeps 1 - smoothing; the non-target classes share
    `smoothing` by a Zipf law (1 / rank^power) over their rank in the network's own (detached)
    prediction. With two classes the one non-target class gets all of it."""
    n, c = logits.shape
    with torch.no_grad():
        masked = logits.detach().clone()
        masked[torch.arange(n), y] = float("-inf")
        order = masked.argsort(dim=1, descending=True)  # non-targets first, by predicted rank
        ranks = torch.empty_like(order)
        ranks.scatter_(1, order, torch.arange(c).expand(n, c))
        weights = 1.0 / (ranks.float() + 1.0) ** power
        weights[torch.arange(n), y] = 0.0
        weights = weights / weights.sum(1, keepdim=True) * smoothing
        weights[torch.arange(n), y] = 1.0 - smoothing
    return weights


def loss_fn(kind, logits, y, smoothing=0.1):
    if kind == "ce":
        return F.cross_entropy(logits, y)
    if kind == "zipf":
        return -(zipf_targets(logits, y, smoothing) * F.log_softmax(logits, 1)).sum(1).mean()
    raise ValueError(f"unknown loss {kind!r} (ce or zipf)")


def parameters(model):
    return sum(p.numel() for p in model.parameters())
