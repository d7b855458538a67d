"""BurstNC's synthetic bursts know their true motion, and the network starts out as NCNet."""
import os
import random
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from burst import BurstNC, warp  # noqa: E402
from ncnet import NCNet  # noqa: E402


def smooth_photo(h, w, seed=0):
    """A smooth random image (low-frequency), so bilinear warping is nearly exact."""
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(1, 3, h // 16, w // 16, generator=g) * 255
    return torch.nn.functional.interpolate(small, size=(h, w), mode="bicubic",
                                           align_corners=False).clamp(0, 255)


class SyntheticBurstTest(unittest.TestCase):
    def test_true_flow_aligns_every_frame_with_the_reference(self):
        hr = smooth_photo(200, 200)
        burst, target, flow = data.synthetic_burst(hr, 3, 5, 48, random.Random(3))
        ref = burst[:, 2]
        self.assertTrue(torch.equal(ref, data.resize(target, 48, 48).round()))
        inner = (slice(None), slice(None), slice(8, -8), slice(8, -8))
        for i, k in enumerate([0, 1, 3, 4]):
            nb = burst[:, k]
            before = (nb - ref)[inner].abs().mean().item()
            after = (warp(nb, flow[:, i]) - ref)[inner].abs().mean().item()
            self.assertGreater(flow[:, i].abs().max().item(), 0.1)
            self.assertLess(after, 0.25 * before, f"frame {k}: {before:.2f} -> {after:.2f}")

    def test_zero_flow_warp_is_the_identity(self):
        x = torch.rand(2, 3, 7, 9) * 255
        self.assertTrue(torch.allclose(warp(x, torch.zeros(2, 2, 7, 9)), x, atol=1e-4))


class BurstNCTest(unittest.TestCase):
    def test_starts_out_as_ncnet_on_the_reference_frame(self):
        torch.manual_seed(0)
        model = BurstNC(3, 5)
        ncnet = NCNet(3)
        ncnet.load_state_dict(model.single.state_dict())
        x = torch.rand(2, 5, 3, 12, 14) * 255
        with torch.no_grad():
            self.assertTrue(torch.allclose(model(x), ncnet(x[:, 2]), atol=1e-4))

    def test_exports_to_onnx_with_grid_sample_and_dynamic_size(self):
        import onnx
        model = BurstNC(3, 5).eval()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "b.onnx")
            torch.onnx.export(model, torch.rand(1, 5, 3, 16, 16) * 255, path, opset_version=16,
                              input_names=["burst"], output_names=["sr"],
                              dynamic_axes={"burst": {0: "n", 3: "h", 4: "w"}})
            ops = {n.op_type for n in onnx.load(path).graph.node}
        self.assertIn("GridSample", ops)
        self.assertIn("DepthToSpace", ops)


if __name__ == "__main__":
    unittest.main()
