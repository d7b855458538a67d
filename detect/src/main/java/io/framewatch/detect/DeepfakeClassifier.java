package io.framewatch.detect;

import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CADDM-contract classifier: input {@code [N, 3, 224, 224]} BGR 0-255 (the aligned crops),
 * output {@code [N, 2]} softmax probabilities with P(fake) in column 1; optionally a second
 * output {@value #ARTIFACT_OUTPUT} {@code [N, rows, cols]}, the per-cell probability of a blending
 * artifact in the crop (caddm-demo's 7x7 map; {@link ArtifactMaps} decodes it).
 *
 * <p>The faces a caller holds together (all faces of a frame) run as batches of up to
 * {@link #MAX_BATCH} through {@link InferenceBackend#runBatch}, on the caller's thread. Not through
 * the {@link io.framewatch.inference.DynamicBatcher}: each detect worker owns its model instance,
 * so there are no other callers' requests to merge with, and the batcher would only add a queue
 * and a thread hand-off to a batch that is already whole.
 */
public final class DeepfakeClassifier implements AutoCloseable {
  /** Most crops in one model run: bounds the staging memory (8 crops are 4.8 MB of input). */
  public static final int MAX_BATCH = 8;
  /** Name of the optional second output: per-cell artifact probabilities {@code [N, rows, cols]}. */
  public static final String ARTIFACT_OUTPUT = "artifact";

  private final String modelId;
  private final InferenceBackend backend;

  /**
   * @param modelId manifest id, reported with every score
   * @param backend the loaded model; closed with this classifier
   */
  public DeepfakeClassifier(String modelId, InferenceBackend backend) {
    this.modelId = modelId;
    this.backend = backend;
  }

  /** Manifest id of the model. */
  public String modelId() {
    return modelId;
  }

  /** P(fake) of one aligned crop ({@link FaceAligner#cropBgrChw}). */
  public float pFake(float[] cropBgrChw) throws InferenceException {
    return pFake(List.of(cropBgrChw))[0];
  }

  /**
   * P(fake) of each aligned crop ({@link FaceAligner#cropBgrChw}), in order, run in batches of up
   * to {@link #MAX_BATCH}.
   */
  public float[] pFake(List<float[]> cropsBgrChw) throws InferenceException {
    List<Score> scored = score(cropsBgrChw);
    float[] out = new float[scored.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = scored.get(i).pFake();
    }
    return out;
  }

  /** Whether the model has an {@value #ARTIFACT_OUTPUT} output (its manifest declares it). */
  public boolean hasArtifactMap() {
    return backend.outputNames().contains(ARTIFACT_OUTPUT);
  }

  /**
   * P(fake) and, when the model has an {@value #ARTIFACT_OUTPUT} output, the artifact map of each
   * aligned crop, in order, run in batches of up to {@link #MAX_BATCH}.
   */
  public List<Score> score(List<float[]> cropsBgrChw) throws InferenceException {
    int c = FaceAligner.CANVAS;
    long[] shape = {1, 3, c, c};
    String input = backend.inputNames().get(0);
    // the probabilities: the first output that is not the artifact map
    String output = backend.outputNames().stream().filter(o -> !o.equals(ARTIFACT_OUTPUT))
        .findFirst().orElseThrow(() -> new InferenceException("model " + modelId
            + ": no probability output"));
    boolean maps = hasArtifactMap();
    List<Score> scores = new ArrayList<>(cropsBgrChw.size());
    for (int from = 0; from < cropsBgrChw.size(); from += MAX_BATCH) {
      int n = Math.min(MAX_BATCH, cropsBgrChw.size() - from);
      List<Map<String, Tensor>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(Map.of(input, new Tensor(shape, cropsBgrChw.get(from + i))));
      }
      Map<String, Tensor> result = backend.runBatch(batch);
      Tensor out = result.get(output);
      if (out == null || out.data().length != 2 * n) {
        throw new InferenceException("model " + modelId + ": expected output [" + n + ",2], got "
            + out);
      }
      Tensor art = maps ? result.get(ARTIFACT_OUTPUT) : null;
      if (maps && (art == null || art.shape().length != 3 || art.shape()[0] != n)) {
        throw new InferenceException("model " + modelId + ": expected output " + ARTIFACT_OUTPUT
            + " [" + n + ",rows,cols], got " + art);
      }
      for (int i = 0; i < n; i++) {
        ArtifactGrid grid = null;
        if (art != null) {
          int rows = (int) art.shape()[1];
          int cols = (int) art.shape()[2];
          float[] cells = new float[rows * cols];
          System.arraycopy(art.data(), i * cells.length, cells, 0, cells.length);
          grid = new ArtifactGrid(rows, cols, cells);
        }
        scores.add(new Score(out.data()[2 * i + 1], Optional.ofNullable(grid)));
      }
    }
    return scores;
  }

  /** One face's result: P(fake), and its artifact map when the model has one. */
  public record Score(float pFake, Optional<ArtifactGrid> artifact) {}

  /**
   * A per-cell artifact map over the 224x224 crop.
   *
   * @param cells {@code rows * cols} probabilities, row by row
   */
  public record ArtifactGrid(int rows, int cols, float[] cells) {}

  @Override
  public void close() {
    backend.close();
  }
}
