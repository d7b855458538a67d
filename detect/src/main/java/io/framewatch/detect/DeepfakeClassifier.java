package io.framewatch.detect;

import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;

/**
 * A CADDM-contract classifier: input {@code [1, 3, 224, 224]} BGR 0-255 (the aligned crop),
 * output {@code [1, 2]} softmax probabilities with P(fake) in column 1.
 */
public final class DeepfakeClassifier implements AutoCloseable {
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
    int c = FaceAligner.CANVAS;
    Tensor out = backend.run(new Tensor(new long[] {1, 3, c, c}, cropBgrChw));
    if (out.data().length != 2) {
      throw new InferenceException("model " + modelId + ": expected output [1,2], got " + out);
    }
    return out.data()[1];
  }

  @Override
  public void close() {
    backend.close();
  }
}
