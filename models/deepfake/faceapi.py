"""face-api.js's face feature extractor in PyTorch, with its published weights.

@vladmandic/face-api@1.7.15 on npm (MIT) ships, as TF.js weight files, a 68-point landmark net
and an expression net trained by face-api on many faces. Both are the same feature extractor
(architecture facts from face-api.js; the code here is ours) followed by one linear layer:

  input  RGB 112x112, (x - mean RGB (122.782, 117.001, 104.298)) / 255
  dense0 3x3 stride-2 convolution to 32 channels, then three depthwise-separable 3x3 convolutions
  dense1..3 the same with a depthwise-separable stride-2 first convolution, to 64, 128, 256
         channels; inside a block each convolution sees the ReLU of the sum of the block's earlier
         outputs, and the block returns the ReLU of the sum of all four ("dense" connections)
  head   7x7 average pool (stride 2, valid) -> 256 -> linear (landmarks: 136 = 68 x/y in 0..1 of
         the input; expressions: 7)
Convolutions pad as TensorFlow's "same" does (more on the bottom/right at stride 2). Weights are
uint8-quantised per tensor (value = q * scale + min), biases float32 or quantised.

FaceFeatures is used by nets.py as the pretrained "faceapi" backbone: the only face-trained
weights any reachable registry ships (the status page, session 7).
"""
import json

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

MEAN_RGB = (122.782, 117.001, 104.298)
WIDTHS = (32, 64, 128, 256)
# the landmark net's weight files in CACHE/media (media.FILES says where they come from)
LANDMARKS = ("face-api-landmark68-manifest.json", "face-api-landmark68.bin")


def read_weights(manifest_path, bin_path):
    """TF.js weights manifest + its one binary shard -> {name: float32 array in TF layout}."""
    manifest = json.load(open(manifest_path))
    if len(manifest) != 1 or len(manifest[0]["paths"]) != 1:
        raise ValueError(f"{manifest_path}: expected one group with one shard")
    data = open(bin_path, "rb").read()
    out, offset = {}, 0
    for w in manifest[0]["weights"]:
        n = int(np.prod(w["shape"])) if w["shape"] else 1
        q = w.get("quantization")
        if q:
            dtype = np.dtype(q["dtype"])
            vals = np.frombuffer(data, dtype, n, offset).astype(np.float32) * q["scale"] + q["min"]
        else:
            dtype = np.dtype(w["dtype"])
            vals = np.frombuffer(data, dtype, n, offset).astype(np.float32)
        offset += n * dtype.itemsize
        out[w["name"]] = vals.reshape(w["shape"])
    if offset != len(data):
        raise ValueError(f"{bin_path}: {len(data)} bytes, manifest describes {offset}")
    return out


def tf_same_pad(x, stride):
    """TensorFlow's "same" padding of a 3x3 convolution."""
    if stride == 1:
        return F.pad(x, (1, 1, 1, 1))
    h, w = x.shape[-2:]
    # total = (ceil(n / 2) - 1) * 2 + 3 - n: 1 for even n (all after), 2 for odd n
    ph, pw = 1 + h % 2, 1 + w % 2
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


class SepConv(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.stride = stride
        self.depthwise = nn.Conv2d(cin, cin, 3, stride, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(tf_same_pad(x, self.stride)))

    def load(self, w, prefix):
        self.depthwise.weight.data = torch.from_numpy(
            w[prefix + "/depthwise_filter"].transpose(2, 3, 0, 1).copy())
        self.pointwise.weight.data = torch.from_numpy(
            w[prefix + "/pointwise_filter"].transpose(3, 2, 0, 1).copy())
        self.pointwise.bias.data = torch.from_numpy(w[prefix + "/bias"].copy())


class FirstConv(nn.Module):
    def __init__(self, cout):
        super().__init__()
        self.conv = nn.Conv2d(3, cout, 3, 2)

    def forward(self, x):
        return self.conv(tf_same_pad(x, 2))

    def load(self, w, prefix):
        filters = w[prefix + "/filters"]  # [kh, kw, in, out]
        self.conv.weight.data = torch.from_numpy(filters.transpose(3, 2, 0, 1).copy())
        self.conv.bias.data = torch.from_numpy(w[prefix + "/bias"].copy())


class DenseBlock(nn.Module):
    def __init__(self, cin, cout, first):
        super().__init__()
        self.convs = nn.ModuleList([FirstConv(cout) if first else SepConv(cin, cout, 2)] +
                                   [SepConv(cout, cout, 1) for _ in range(3)])

    def forward(self, x):
        total = F.relu(self.convs[0](x))
        for conv in self.convs[1:]:  # each sees the ReLU of the sum so far (the first: itself)
            total = total + conv(F.relu(total))
        return F.relu(total)

    def load(self, w, prefix):
        for i, conv in enumerate(self.convs):
            conv.load(w, f"{prefix}/conv{i}")


class FaceFeatures(nn.Module):
    """RGB normalised as face-api does -> [N, 256, H/16, W/16]."""

    def __init__(self):
        super().__init__()
        cins = (3,) + WIDTHS[:-1]
        self.blocks = nn.Sequential(*[DenseBlock(ci, co, i == 0)
                                      for i, (ci, co) in enumerate(zip(cins, WIDTHS))])
        self.channels = WIDTHS[-1]

    def forward(self, x):
        return self.blocks(x)

    def load(self, w):
        for i, block in enumerate(self.blocks):
            block.load(w, f"dense{i}")
        return self


def normalise_bgr(x):
    """BGR 0-255 (the detectors' contract) -> face-api's input scaling, RGB."""
    mean = torch.tensor(MEAN_RGB[::-1], dtype=x.dtype).view(1, 3, 1, 1)
    return ((x - mean) / 255.0)[:, [2, 1, 0]]


class Landmarks68(nn.Module):
    """face-api's 68-point landmark net (for checking the weights are read right)."""

    def __init__(self):
        super().__init__()
        self.features = FaceFeatures()
        self.fc = nn.Linear(256, 136)

    def forward(self, rgb112):
        f = F.avg_pool2d(self.features(rgb112), 7, 2)
        return self.fc(f.flatten(1)).view(-1, 68, 2)

    def load(self, w):
        self.features.load(w)
        self.fc.weight.data = torch.from_numpy(w["fc/weights"].T.copy())
        self.fc.bias.data = torch.from_numpy(w["fc/bias"].copy())
        return self


def landmark_weights(cache):
    import media
    return read_weights(*(media.fetch(cache, n) for n in LANDMARKS))

