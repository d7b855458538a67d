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
    letterbox(image, s, scale, padX, padY, input);
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

  /**
   * Writes {@code image} scaled by {@code scale} and centred ({@code padX}, {@code padY}) into the
   * {@code s}×{@code s}×3 input, RGB mapped to [-1, 1], padding black (-1). Each input pixel is
   * the bilinear sample of {@link RgbImage#sample} at its centre, the coordinates clamped to the
   * image (edge replication at the letterbox edge); the same floats, computed with the column
   * weights once per image instead of once per sample, which made the 256-px input cost several
   * milliseconds a frame.
   */
  static void letterbox(RgbImage image, int s, float scale, float padX, float padY, float[] out) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    int[] left = new int[s];
    float[] fxs = new float[s];
    boolean[] insideX = new boolean[s];
    for (int u = 0; u < s; u++) {
      float sx = (u + 0.5f - padX) / scale - 0.5f;
      insideX[u] = sx > -0.5f && sx < w - 0.5f;
      float x = clamp(sx, w);
      left[u] = (int) Math.floor(x);
      fxs[u] = x - left[u];
    }
    for (int v = 0; v < s; v++) {
      float sy = (v + 0.5f - padY) / scale - 0.5f;
      boolean insideY = sy > -0.5f && sy < h - 0.5f;
      float y = clamp(sy, h);
      int y0 = (int) Math.floor(y);
      float fy = y - y0;
      int row0 = y0 * w * 3;
      // the row below is outside only where fy is 0; RgbImage#sample reads it as 0
      boolean below = y0 + 1 < h;
      int o = v * s * 3;
      for (int u = 0; u < s; u++, o += 3) {
        if (!insideY || !insideX[u]) {
          out[o] = out[o + 1] = out[o + 2] = -1f; // black: 0 / 127.5 - 1
          continue;
        }
        float fx = fxs[u];
        int a = row0 + left[u] * 3;
        boolean right = left[u] + 1 < w;
        for (int c = 0; c < 3; c++) {
          int p00 = rgb[a + c] & 0xff;
          int p10 = right ? rgb[a + 3 + c] & 0xff : 0;
          int p01 = below ? rgb[a + w * 3 + c] & 0xff : 0;
          int p11 = below && right ? rgb[a + w * 3 + 3 + c] & 0xff : 0;
          float px = (1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11);
          out[o + c] = px / 127.5f - 1f;
        }
      }
    }
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
