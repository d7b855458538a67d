"""BurstNC: burst super-resolution for K consecutive video frames, exportable to ONNX (opset 16).

Our own small design in the spirit of BSRT (facts only: align every frame to a reference with
optical flow, fuse the aligned features, upsample by pixel shuffle). BSRT's flow-guided deformable
convolution has no ONNX operator, so alignment here is a per-pixel flow applied with GridSample.

  input  "burst": [N, K, 3, H, W]  RGB float 0-255, reference = frame K // 2 (what decode/ sends)
  output "sr":    [N, 3, sH, sW]   RGB float 0-255

Parts:
  flow    shared conv features of reference and neighbour at half resolution, their local
          correlation (+-2 half-resolution pixels) and a small decoder predict the displacement,
          in low-resolution pixels, at which each reference pixel is found in the neighbour;
          upsampled bilinearly to full resolution; a small full-resolution net then refines it
          from the reference and what is left of the difference after warping.
  warp    GridSample (bilinear, border padding, align_corners=False) of each neighbour.
  fuse    one shared 3x3 conv encodes each of the K aligned frames; the K encodings are fused by
          two 3x3 convs into 32 features.
  body    NCNet (ncnet.py) on the reference frame, whose first layer also receives the fused
          features through a 3x3 conv that starts at zero: at initialisation, with NCNet's trained
          weights copied in, BurstNC is exactly NCNet on the reference frame, and training can only
          add what the other frames tell it.
"""
import torch
from torch import nn
from torch.nn import functional as F

from ncnet import NCNet


class FlowNet(nn.Module):
    """Flow from a local correlation at half resolution: shared features of reference and
    neighbour, their mean product at every displacement within +-RADIUS half-resolution pixels
    (+-2 * RADIUS full-resolution pixels), decoded with the reference features into a flow."""

    RADIUS = 2

    def __init__(self, width=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(16, width, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, padding=1))
        taps = (2 * self.RADIUS + 1) ** 2
        self.decode = nn.Sequential(
            nn.Conv2d(taps + width, width, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(width, 2, 3, padding=1))
        # full resolution: reference, warped neighbour's difference and the coarse flow -> residual
        self.refine = nn.Sequential(
            nn.Conv2d(8, 24, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(24, 24, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(24, 2, 3, padding=1))

    def correlation(self, a, b):
        r = self.RADIUS
        h, w = a.shape[-2:]
        padded = F.pad(b, (r, r, r, r), mode="replicate")
        costs = []
        for dy in range(2 * r + 1):
            for dx in range(2 * r + 1):
                costs.append((a * padded[:, :, dy:dy + h, dx:dx + w]).mean(1, keepdim=True))
        return torch.cat(costs, 1)

    def forward(self, ref, nb):
        """ref, nb: [M, 3, H, W] 0-255 -> flow [M, 2, H, W] in pixels (x, y)."""
        # instance-normalised features: without it the correlation is all brightness and bias,
        # and the displacement peak is lost in the fourth digit
        fr = F.instance_norm(self.features(ref / 255.0))
        fn = F.instance_norm(self.features(nb / 255.0))
        half = self.decode(torch.cat([self.correlation(fr, fn), fr], 1))
        # at half resolution one step is two pixels
        coarse = F.interpolate(half, size=ref.shape[-2:], mode="bilinear",
                               align_corners=False) * 2.0
        diff = (warp(nb, coarse) - ref) / 255.0
        return coarse + self.refine(torch.cat([ref / 255.0, diff, coarse], 1))


def warp(img, flow):
    """Samples img at (x + flow_x, y + flow_y) for every pixel (x, y)."""
    n, _, h, w = img.shape
    ys = torch.arange(h, dtype=img.dtype, device=img.device).view(1, h, 1).expand(n, h, w)
    xs = torch.arange(w, dtype=img.dtype, device=img.device).view(1, 1, w).expand(n, h, w)
    gx = (2.0 * (xs + flow[:, 0]) + 1.0) / w - 1.0
    gy = (2.0 * (ys + flow[:, 1]) + 1.0) / h - 1.0
    grid = torch.stack([gx, gy], dim=3)
    return F.grid_sample(img, grid, mode="bilinear", padding_mode="border", align_corners=False)


class BurstNC(nn.Module):
    def __init__(self, scale=3, frames=5, features=32, encoded=16):
        super().__init__()
        self.scale = scale
        self.frames = frames
        self.ref = frames // 2
        self.flow = FlowNet()
        self.encode = nn.Sequential(nn.Conv2d(3, encoded, 3, padding=1), nn.ReLU(inplace=True))
        self.fuse = nn.Sequential(
            nn.Conv2d(frames * encoded, features, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(features, features, 3, padding=1))
        self.inject = nn.Conv2d(features, features, 3, padding=1)
        nn.init.zeros_(self.inject.weight)
        nn.init.zeros_(self.inject.bias)
        self.single = NCNet(scale, features)

    def align(self, burst):
        """burst [N, K, 3, H, W] -> (aligned [N, K, 3, H, W], flows [N, K-1, 2, H, W])."""
        n, k, c, h, w = burst.shape
        ref = burst[:, self.ref]
        nbs = torch.cat([burst[:, :self.ref], burst[:, self.ref + 1:]], 1).reshape(-1, c, h, w)
        refs = ref.unsqueeze(1).expand(-1, k - 1, -1, -1, -1).reshape(-1, c, h, w)
        flows = self.flow(refs, nbs)
        warped = warp(nbs, flows).reshape(n, k - 1, c, h, w)
        aligned = torch.cat([warped[:, :self.ref], ref.unsqueeze(1), warped[:, self.ref:]], 1)
        return aligned, flows.reshape(n, k - 1, 2, h, w)

    def forward_with_flow(self, burst):
        n, k, c, h, w = burst.shape
        aligned, flows = self.align(burst)
        enc = self.encode(aligned.reshape(n * k, c, h, w) / 255.0)
        fused = self.fuse(enc.reshape(n, -1, h, w))
        ref = burst[:, self.ref]
        body = self.single.body
        y = F.relu(body[0](ref) + self.inject(fused))
        y = body[2:](y) + self.single.nearest(ref)
        return torch.clamp(self.single.shuffle(y), 0.0, 255.0), flows

    def forward(self, burst):
        return self.forward_with_flow(burst)[0]


def load_ncnet_from_onnx(model, path):
    """Copies a trained NCNet's weights (from its ONNX file) into model.single."""
    import onnx
    from onnx import numpy_helper
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
               for i in onnx.load(path).graph.initializer}
    state = model.single.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        raise SystemExit(f"{path} is not an NCNet x{model.scale} export: missing {missing}")
    model.single.load_state_dict({k: weights[k] for k in state})
