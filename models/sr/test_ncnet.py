"""Unit tests of the NCNet contract: run with `/usr/bin/python3 -m unittest discover -s models/sr`."""
import unittest

import torch
from torch import nn

from ncnet import NCNet, trainable_parameters


class NCNetTest(unittest.TestCase):
    def test_x3_has_exactly_52279_parameters(self):
        self.assertEqual(52279, trainable_parameters(NCNet(3)))

    def test_zero_body_is_a_nearest_neighbour_upscale(self):
        torch.manual_seed(0)
        for scale in (2, 3, 4):
            model = NCNet(scale)
            for p in model.body.parameters():
                nn.init.zeros_(p)
            x = torch.rand(2, 3, 7, 5) * 255
            expected = nn.functional.interpolate(x, scale_factor=scale, mode="nearest")
            got = model(x)
            self.assertEqual(expected.shape, got.shape)
            self.assertTrue(torch.equal(expected, got), f"x{scale} differs")

    def test_output_is_clipped_to_the_pixel_range(self):
        model = NCNet(2)
        y = model(torch.full((1, 3, 4, 4), 1000.0))
        self.assertLessEqual(float(y.max()), 255.0)
        self.assertGreaterEqual(float(y.min()), 0.0)


if __name__ == "__main__":
    unittest.main()
