package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.frames.Similarity;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.SampleMedia;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The real BlazeFace model through ONNX Runtime on a real photo. */
class BlazeFaceDetectorTest {

  @Test
  void shouldFindTheOneFaceInTheFranckStillWithPlausibleKeypoints() throws Exception {
    RgbImage img = TestImages.load(SampleMedia.FRANCK_STILL);
    ModelStore store = ModelStore.fromEnvironment();
    var manifest = store.manifest("blazeface-front-128");
    try (BlazeFaceDetector det = new BlazeFaceDetector(manifest,
        new OnnxRuntimeBackend(manifest.id(), store.resolve(manifest), 1), 0.5f)) {
      List<Face> faces = det.detect(img);
      assertEquals(1, faces.size(), "faces: " + faces);
      Face f = faces.get(0);
      assertTrue(f.score() > 0.8, "score " + f.score());
      float w = f.xMax() - f.xMin();
      assertTrue(w > img.width() * 0.1 && w < img.width() * 0.9, "box width " + w);
      for (int k = 0; k < 4; k++) {
        assertTrue(f.kx(k) > f.xMin() && f.kx(k) < f.xMax(), "keypoint " + k + " inside box x");
        assertTrue(f.ky(k) > f.yMin() && f.ky(k) < f.yMax(), "keypoint " + k + " inside box y");
      }
      // upright face: eyes above the nose, nose above the mouth; "right eye" is on image left
      assertTrue(f.ky(0) < f.ky(2) && f.ky(1) < f.ky(2));
      assertTrue(f.ky(2) < f.ky(3));
      assertTrue(f.kx(0) < f.kx(1), "subject's right eye appears left in the image");
      // BlazeFace has no mouth corners (approximated from the mouth centre), so on a real face
      // the 5-point least-squares fit leaves the eyes a few pixels off the template; seen: 4.8 px.
      Similarity s = FaceAligner.transform(f.keypoints());
      double[] t = FaceAligner.template();
      double[] e0 = s.apply(f.kx(0), f.ky(0));
      double[] e1 = s.apply(f.kx(1), f.ky(1));
      double err = Math.max(Math.hypot(e0[0] - t[0], e0[1] - t[1]),
          Math.hypot(e1[0] - t[2], e1[1] - t[3]));
      assertTrue(err < 8, "eye error in the crop " + err + " px");
    }
  }

  @Test
  void shouldLetterboxExactlyAsBilinearSamplingOfEachInputPixelWould() throws Exception {
    RgbImage still = TestImages.load(SampleMedia.FRANCK_STILL);
    Random random = new Random(7);
    byte[] noise = new byte[37 * 61 * 3];
    random.nextBytes(noise);
    // a real photo, and odd sizes wider and taller than square, up- and down-scaled
    List<RgbImage> images = List.of(still, new RgbImage(37, 61, noise),
        new RgbImage(61, 37, noise));
    for (RgbImage image : images) {
      for (int s : new int[] {128, 256}) {
        float scale = Math.min((float) s / image.width(), (float) s / image.height());
        float padX = (s - image.width() * scale) / 2;
        float padY = (s - image.height() * scale) / 2;
        float[] fast = new float[s * s * 3];
        BlazeFaceDetector.letterbox(image, s, scale, padX, padY, fast);
        assertArrayEquals(sampledOneByOne(image, s, scale, padX, padY), fast,
            image.width() + "x" + image.height() + " into " + s);
      }
    }
  }

  /** The letterbox as a per-sample loop over {@link RgbImage#sample}: the definition. */
  private static float[] sampledOneByOne(RgbImage image, int s, float scale, float padX,
      float padY) {
    float[] out = new float[s * s * 3];
    for (int v = 0; v < s; v++) {
      float sy = (v + 0.5f - padY) / scale - 0.5f;
      for (int u = 0; u < s; u++) {
        float sx = (u + 0.5f - padX) / scale - 0.5f;
        boolean inside = sx > -0.5f && sy > -0.5f
            && sx < image.width() - 0.5f && sy < image.height() - 0.5f;
        for (int c = 0; c < 3; c++) {
          float x = Math.max(0, Math.min(image.width() - 1, sx));
          float y = Math.max(0, Math.min(image.height() - 1, sy));
          float px = inside ? image.sample(x, y, c) : 0;
          out[(v * s + u) * 3 + c] = px / 127.5f - 1f;
        }
      }
    }
    return out;
  }
}
