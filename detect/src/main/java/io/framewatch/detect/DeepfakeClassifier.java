package io.framewatch.detect;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CADDM-contract classifier: input {@code [N, 3, 224, 224]} BGR 0-255 (the aligned crops),
 * output {@code prob} {@code [N, 2]} softmax probabilities with P(fake) in column 1. The output is
 * read by name, so a graph may carry further outputs; a graph with a single output of another name
 * is read from that one. An optional second output {@value #ARTIFACT_OUTPUT}
 * {@code [N, rows, cols]} is the per-cell probability of a blending artifact in the crop
 * (caddm-demo's 7x7 map; {@link ArtifactMaps} decodes it), read from the same run.
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
  /** Name of the optional second output: per-cell artifact probabilities {@code [N, rows, cols]}. */
  public static final String ARTIFACT_OUTPUT = "artifact";

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

  /** The preprocessing id detect/ implements for classifiers: the CADDM crop, BGR 0-255. */
  public static final String PREPROCESSING = "caddm-crop-bgr-0-255";

  /**
   * The classifier of manifest {@code m}, with its calibration temperature, on {@code backend}.
   *
   * @throws IllegalArgumentException when the manifest does not describe a classifier detect/ can
   *     feed and read ({@link #check})
   */
  public static DeepfakeClassifier of(ModelManifest m, InferenceBackend backend) {
    check(m);
    return new DeepfakeClassifier(m.id(), backend, m.temperature());
  }

  /**
   * Checks that a manifest describes what this class feeds and reads: a deepfake-classification
   * model with the {@value #PREPROCESSING} preprocessing, one input {@code [N, 3, 224, 224]} and a
   * {@value #PROB} output {@code [N, 2]} (or a single two-column output), and, if declared, an
   * {@value #ARTIFACT_OUTPUT} output {@code [N, rows, cols]}.
   *
   * @throws IllegalArgumentException naming the model and the field that does not fit
   */
  public static void check(ModelManifest m) {
    String id = m.id();
    m.requireKind("deepfake-classification", PREPROCESSING, "a deepfake classifier");
    long[] in = m.inputs().get(0).shape();
    int c = FaceAligner.CANVAS;
    if (m.inputs().size() != 1 || in == null || in.length != 4 || in[0] == 0 || in[1] != 3
        || in[2] != c || in[3] != c) {
      throw new IllegalArgumentException("model " + id + ": expected one input [N, 3, " + c + ", "
          + c + "], got " + java.util.Arrays.toString(in));
    }
    ModelManifest.IoSpec prob = m.outputs().stream().filter(o -> o.name().equals(PROB))
        .findFirst().orElse(m.outputs().size() == 1 ? m.outputs().get(0) : null);
    if (prob == null || prob.shape() == null || prob.shape().length != 2
        || prob.shape()[1] != 2) {
      throw new IllegalArgumentException("model " + id + ": expected an output '" + PROB
          + "' [N, 2] (P(real), P(fake))");
    }
    m.outputs().stream().filter(o -> o.name().equals(ARTIFACT_OUTPUT)).findFirst()
        .ifPresent(o -> {
          if (o.shape() == null || o.shape().length != 3) {
            throw new IllegalArgumentException("model " + id + ": output '" + ARTIFACT_OUTPUT
                + "' must be [N, rows, cols], got " + java.util.Arrays.toString(o.shape()));
          }
        });
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

  /** The aligned crop ({@link FaceAligner#cropBgrChw}) of each face of {@code image}. */
  public static List<float[]> crops(RgbImage image, List<Face> faces) {
    List<float[]> crops = new ArrayList<>(faces.size());
    for (Face face : faces) {
      crops.add(FaceAligner.cropBgrChw(image, FaceAligner.transform(face.keypoints())));
    }
    return crops;
  }

  /**
   * P(fake) of each aligned crop ({@link FaceAligner#cropBgrChw}), in order, run in batches of up
   * to {@link #MAX_BATCH}, with the manifest's temperature applied.
   */
  public float[] pFake(List<float[]> cropsBgrChw) throws InferenceException {
    List<Score> scored = score(cropsBgrChw);
    float[] out = new float[scored.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = scored.get(i).pFake();
    }
    return out;
  }

  /**
   * The model's own logit {@code log p1 - log p0} of each crop, before any temperature: what a
   * calibration is fitted on.
   */
  public double[] logits(List<float[]> cropsBgrChw) throws InferenceException {
    List<Score> scored = score(cropsBgrChw);
    double[] out = new double[scored.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = scored.get(i).logit();
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

  /** Whether the model has an {@value #ARTIFACT_OUTPUT} output (its manifest declares it). */
  public boolean hasArtifactMap() {
    return backend.outputNames().contains(ARTIFACT_OUTPUT);
  }

  /**
   * P(fake) (calibrated), the model's own logit and, when the model has an
   * {@value #ARTIFACT_OUTPUT} output, the artifact map of each aligned crop, in order, from one
   * run per batch of up to {@link #MAX_BATCH}.
   */
  public List<Score> score(List<float[]> cropsBgrChw) throws InferenceException {
    int c = FaceAligner.CANVAS;
    long[] shape = {1, 3, c, c};
    String input = backend.inputNames().get(0);
    List<String> outputs = backend.outputNames();
    String output = outputs.contains(PROB) || outputs.size() != 1 ? PROB : outputs.get(0);
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
        throw new InferenceException("model " + modelId + ": expected output " + output + " ["
            + n + ",2], got " + out);
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
        float p0 = out.data()[2 * i];
        float p1 = out.data()[2 * i + 1];
        double z = logit(p0, p1);
        float p = temperature == 1.0 ? p1 : (float) sigmoid(z / temperature);
        scores.add(new Score(p, z, Optional.ofNullable(grid)));
      }
    }
    return scores;
  }

  /**
   * One face's result.
   *
   * @param pFake P(fake), the manifest's temperature applied
   * @param logit the model's own {@code log p1 - log p0}
   * @param artifact its artifact map when the model has one
   */
  public record Score(float pFake, double logit, Optional<ArtifactGrid> artifact) {}

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
