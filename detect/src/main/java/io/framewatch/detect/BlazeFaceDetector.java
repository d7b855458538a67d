package io.framewatch.detect;

import io.framewatch.frames.RgbImage;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds faces with a BlazeFace model: letterboxes the frame into the square input (RGB scaled to
 * [-1, 1], black padding: the manifest's {@value BlazeFaceSpec#PREPROCESSING}), runs the backend,
 * decodes anchors and maps the faces back to frame pixels. Tensor names, input side and anchor
 * grids come from the manifest ({@link BlazeFaceSpec#of}). Not thread-safe: one per worker thread.
 */
public final class BlazeFaceDetector implements AutoCloseable {
  private final BlazeFaceSpec spec;
  private final InferenceBackend backend;
  private final BlazeFaceDecoder decoder;
  private final float[] input;

  /**
   * @param manifest the model's manifest: its preprocessing, input and outputs ({@link
   *     BlazeFaceSpec#of})
   * @param backend the loaded model; closed with this detector
   * @param minScore minimum face probability
   * @throws IllegalArgumentException when the manifest does not describe a BlazeFace model
   */
  public BlazeFaceDetector(ModelManifest manifest, InferenceBackend backend, float minScore) {
    this.spec = BlazeFaceSpec.of(manifest);
    this.backend = backend;
    // MediaPipe's face detection graphs merge candidates overlapping by more than 0.3 IoU.
    this.decoder = new BlazeFaceDecoder(spec, minScore, 0.3f);
    this.input = new float[spec.inputSize() * spec.inputSize() * 3];
  }

  /** Manifest id of the detector model. */
  public String modelId() {
    return spec.modelId();
  }

  /** Faces in {@code image}, in image pixels, best first. */
  public List<Face> detect(RgbImage image) throws InferenceException {
    int s = spec.inputSize();
    float scale = Math.min((float) s / image.width(), (float) s / image.height());
    float padX = (s - image.width() * scale) / 2;
    float padY = (s - image.height() * scale) / 2;
    for (int v = 0; v < s; v++) {
      float sy = (v + 0.5f - padY) / scale - 0.5f;
      for (int u = 0; u < s; u++) {
        float sx = (u + 0.5f - padX) / scale - 0.5f;
        int o = (v * s + u) * 3;
        boolean inside = sx > -0.5f && sy > -0.5f
            && sx < image.width() - 0.5f && sy < image.height() - 0.5f;
        for (int c = 0; c < 3; c++) {
          float px = inside ? image.sample(clamp(sx, image.width()), clamp(sy, image.height()), c) : 0;
          input[o + c] = px / 127.5f - 1f;
        }
      }
    }
    Map<String, Tensor> out = backend.run(Map.of(spec.input(),
        new Tensor(new long[] {1, s, s, 3}, input)));
    List<Face> faces = decoder.decode(
        out.get(spec.fineScores()).data(), out.get(spec.fineBoxes()).data(),
        out.get(spec.coarseScores()).data(), out.get(spec.coarseBoxes()).data());
    List<Face> mapped = new ArrayList<>(faces.size());
    for (Face f : faces) {
      float[] kp = new float[f.keypoints().length];
      for (int k = 0; k < kp.length; k += 2) {
        kp[k] = (f.keypoints()[k] * s - padX) / scale;
        kp[k + 1] = (f.keypoints()[k + 1] * s - padY) / scale;
      }
      mapped.add(new Face((f.xMin() * s - padX) / scale, (f.yMin() * s - padY) / scale,
          (f.xMax() * s - padX) / scale, (f.yMax() * s - padY) / scale, kp, f.score()));
    }
    return mapped;
  }

  /** Keeps bilinear sampling inside the image at the letterbox edge (edge replication). */
  private static float clamp(float v, int size) {
    return Math.max(0, Math.min(size - 1, v));
  }

  @Override
  public void close() {
    backend.close();
  }
}
