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
 * A CADDM-contract classifier: input {@code [N, 3, 224, 224]} BGR 0-255 (the aligned crops),
 * output {@code prob} {@code [N, 2]} softmax probabilities with P(fake) in column 1. The output is
 * read by name, so a graph may carry further outputs; a graph with a single output of another name
 * is read from that one.
 *
 * <p>A calibrated manifest ({@link ModelManifest#temperature()} other than 1, written by
 * {@code framewatch models calibrate}) divides the logit {@code log p1 - log p0} by its temperature
 * before the sigmoid; at temperature 1 the model's P(fake) is returned untouched.
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
  /** Name of the probability output in the CADDM contract. */
  public static final String PROB = "prob";

  private final String modelId;
  private final InferenceBackend backend;
  private final double temperature;

  /**
   * An uncalibrated classifier (temperature 1).
   *
   * @param modelId manifest id, reported with every score
   * @param backend the loaded model; closed with this classifier
   */
  public DeepfakeClassifier(String modelId, InferenceBackend backend) {
    this(modelId, backend, 1.0);
  }

  /**
   * @param modelId manifest id, reported with every score
   * @param backend the loaded model; closed with this classifier
   * @param temperature the logit is divided by this (1: the model's own P(fake))
   */
  public DeepfakeClassifier(String modelId, InferenceBackend backend, double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("model " + modelId + ": temperature must be positive and"
          + " finite, got " + temperature);
    }
    this.modelId = modelId;
    this.backend = backend;
    this.temperature = temperature;
  }

  /** The classifier of manifest {@code m}, with its calibration temperature, on {@code backend}. */
  public static DeepfakeClassifier of(ModelManifest m, InferenceBackend backend) {
    return new DeepfakeClassifier(m.id(), backend, m.temperature());
  }

  /** Manifest id of the model. */
  public String modelId() {
    return modelId;
  }

  /** The calibration temperature applied to the logits (1 when uncalibrated). */
  public double temperature() {
    return temperature;
  }

  /** P(fake) of one aligned crop ({@link FaceAligner#cropBgrChw}). */
  public float pFake(float[] cropBgrChw) throws InferenceException {
    return pFake(List.of(cropBgrChw))[0];
  }

  /** P(fake) of each face of {@code image}, cropped as the detect stage crops it, in one batch. */
  public float[] pFake(RgbImage image, List<Face> faces) throws InferenceException {
    return pFake(crops(image, faces));
  }

  /** The aligned crop ({@link FaceAligner#cropBgrChw}) of each face of {@code image}. */
  public static List<float[]> crops(RgbImage image, List<Face> faces) {
    List<float[]> crops = new ArrayList<>(faces.size());
    for (Face face : faces) {
      crops.add(FaceAligner.cropBgrChw(image, FaceAligner.transform(face)));
    }
    return crops;
  }

  /**
   * P(fake) of each aligned crop ({@link FaceAligner#cropBgrChw}), in order, run in batches of up
   * to {@link #MAX_BATCH}, with the manifest's temperature applied.
   */
  public float[] pFake(List<float[]> cropsBgrChw) throws InferenceException {
    float[][] probs = probabilities(cropsBgrChw);
    float[] scores = new float[probs.length];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = temperature == 1.0 ? probs[i][1]
          : (float) sigmoid(logit(probs[i][0], probs[i][1]) / temperature);
    }
    return scores;
  }

  /**
   * The model's own logit {@code log p1 - log p0} of each crop, before any temperature: what a
   * calibration is fitted on.
   */
  public double[] logits(List<float[]> cropsBgrChw) throws InferenceException {
    float[][] probs = probabilities(cropsBgrChw);
    double[] out = new double[probs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = logit(probs[i][0], probs[i][1]);
    }
    return out;
  }

  /**
   * {@code log p1 - log p0}, each probability floored at 1e-7 so that a saturated softmax gives a
   * large finite logit rather than an infinite one.
   */
  public static double logit(double p0, double p1) {
    return Math.log(Math.max(p1, 1e-7)) - Math.log(Math.max(p0, 1e-7));
  }

  /** The logistic function. */
  public static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  private float[][] probabilities(List<float[]> cropsBgrChw) throws InferenceException {
    int c = FaceAligner.CANVAS;
    long[] shape = {1, 3, c, c};
    String input = backend.inputNames().get(0);
    List<String> outputs = backend.outputNames();
    String output = outputs.contains(PROB) || outputs.size() != 1 ? PROB : outputs.get(0);
    float[][] probs = new float[cropsBgrChw.size()][];
    for (int from = 0; from < probs.length; from += MAX_BATCH) {
      int n = Math.min(MAX_BATCH, probs.length - from);
      List<Map<String, Tensor>> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(Map.of(input, new Tensor(shape, cropsBgrChw.get(from + i))));
      }
      Tensor out = backend.runBatch(batch).get(output);
      if (out == null || out.data().length != 2 * n) {
        throw new InferenceException("model " + modelId + ": expected output " + output + " ["
            + n + ",2], got " + out);
      }
      for (int i = 0; i < n; i++) {
        probs[from + i] = new float[] {out.data()[2 * i], out.data()[2 * i + 1]};
      }
    }
    return probs;
  }

  @Override
  public void close() {
    backend.close();
  }
}
