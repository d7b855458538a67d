package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.frames.Similarity;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.OnnxRuntimeBackend;
import io.framewatch.inference.SampleMedia;
import java.util.List;
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
}
