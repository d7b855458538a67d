"""NCNet: seven 3x3 convolutions plus a fixed "nearest convolution" skip, then depth-to-space.

Architecture facts (from the NCNet paper; code written for framewatch):
  body: 3->32, four 32->32, 32->3*s*s, 3*s*s->3*s*s, ReLU after the first six;
  nearest convolution: a fixed 1x1 convolution 3 -> 3*s*s without bias that repeats each input
  channel s*s times, added to the body's output; then depth-to-space(s) and a clip to [0, 255].
Input and output: RGB, float 0-255, NCHW. x3 has exactly 52,279 trainable parameters.
"""
import torch
from torch import nn


class NearestConv(nn.Module):
    """Fixed 1x1 convolution: output channel c*s*s + k copies input channel c.

    PixelShuffle (ONNX DepthToSpace, CRD order) reads output pixel (c, y*s+i, x*s+j) from channel
    c*s*s + i*s + j, so this repetition order turns depth-to-space of the skip into a
    nearest-neighbour upscale of the input.
    """

    def __init__(self, scale, channels=3):
        super().__init__()
        w = torch.zeros(channels * scale * scale, channels, 1, 1)
        for c in range(channels):
            w[c * scale * scale:(c + 1) * scale * scale, c] = 1.0
        self.register_buffer("weight", w)

    def forward(self, x):
        return nn.functional.conv2d(x, self.weight)


class NCNet(nn.Module):
    def __init__(self, scale=3, features=32):
        super().__init__()
        self.scale = scale
        out = 3 * scale * scale
        layers = [nn.Conv2d(3, features, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(4):
            layers += [nn.Conv2d(features, features, 3, padding=1), nn.ReLU(inplace=True)]
        layers += [nn.Conv2d(features, out, 3, padding=1), nn.ReLU(inplace=True),
                   nn.Conv2d(out, out, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        self.nearest = NearestConv(scale)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x):
        y = self.body(x) + self.nearest(x)
        return torch.clamp(self.shuffle(y), 0.0, 255.0)


def trainable_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
