package io.framewatch.detect;

import io.framewatch.frames.FaceAligner;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A CADDM-contract classifier: input {@code [N, 3, 224, 224]} BGR 0-255 (the aligned crops),
 * output {@code [N, 2]} softmax probabilities with P(fake) in column 1.
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
    int c = FaceAligner.CANVAS;
    long[] shape = {1, 3, c, c};
    String input = backend.inputNames().get(0);
    String output = backend.outputNames().get(0);
    float[] scores = new float[cropsBgrChw.size()];
    for (int from = 0; from < scores.length; from += MAX_BATCH) {
      int n = Math.min(MAX_BATCH, scores.length - from);
      List<Map<String, Tensor>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(Map.of(input, new Tensor(shape, cropsBgrChw.get(from + i))));
      }
      Tensor out = backend.runBatch(batch).get(output);
      if (out == null || out.data().length != 2 * n) {
        throw new InferenceException("model " + modelId + ": expected output [" + n + ",2], got "
            + out);
      }
      for (int i = 0; i < n; i++) {
        scores[from + i] = out.data()[2 * i + 1];
      }
    }
    return scores;
  }

  @Override
  public void close() {
    backend.close();
  }
}
