package io.framewatch.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Checks that an ONNX graph is what its manifest says: the same input and output names, in any
 * order, with the same shapes, where -1 in the manifest (a symbolic batch) must be symbolic in
 * the graph too. Mismatches name the model and the field.
 */
public final class ModelVerifier {
  private ModelVerifier() {}

  /**
   * Reads the graph's declared inputs and outputs with ONNX Runtime and compares them.
   *
   * @throws InferenceException naming the model and the field on the first mismatch
   */
  public static void checkGraph(ModelManifest m, Path file) throws InferenceException {
    try (OnnxRuntimeBackend graph = new OnnxRuntimeBackend(m.id(), file,
        BackendOptions.defaults(file.getParent()).withThreads(1, 1))) {
      compare(m.id(), "inputs", m.inputs(), graph.inputShapes());
      compare(m.id(), "outputs", m.outputs(), graph.outputShapes());
    }
  }

  /**
   * Runs the model on its manifest's parity input and compares with the exporter's output.
   *
   * @return the largest absolute difference, or empty when the manifest has no parity files
   * @throws InferenceException when the files are missing or the difference is over tolerance
   */
  public static OptionalDouble checkParity(ModelManifest m, Path file)
      throws InferenceException {
    ModelManifest.Parity p = m.parity();
    if (p == null) {
      return OptionalDouble.empty();
    }
    if (m.inputs().size() != 1) {
      throw new InferenceException("model " + m.id() + ": field parity needs one input");
    }
    float[] in = floats(m, file.resolveSibling(p.input()));
    float[] expected = floats(m, file.resolveSibling(p.output()));
    try (OnnxRuntimeBackend b = new OnnxRuntimeBackend(m.id(), file,
        BackendOptions.defaults(file.getParent()).withThreads(1, 1))) {
      Tensor out = b.run(Map.of(m.inputs().get(0).name(), new Tensor(p.inputShape(), in)))
          .get(m.outputs().get(0).name());
      if (!Arrays.equals(out.shape(), p.outputShape()) || out.data().length != expected.length) {
        throw new InferenceException("model " + m.id() + ": parity output has shape "
            + Arrays.toString(out.shape()) + ", the exporter's " + Arrays.toString(p.outputShape()));
      }
      double max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(out.data()[i] - expected[i]));
      }
      if (max > p.tolerance()) {
        throw new InferenceException("model " + m.id() + ": ONNX Runtime differs from the"
            + " exporter by " + max + " (tolerance " + p.tolerance() + ")");
      }
      return OptionalDouble.of(max);
    }
  }

  private static float[] floats(ModelManifest m, Path f) throws InferenceException {
    try {
      return Tensor.littleEndianFloats(Files.readAllBytes(f));
    } catch (IOException | IllegalArgumentException e) {
      throw new InferenceException("model " + m.id() + ": field parity names " + f
          + ", which cannot be read: " + e.getMessage(), e);
    }
  }

  static void compare(String id, String field, List<ModelManifest.IoSpec> declared,
      Map<String, long[]> actual) throws InferenceException {
    if (declared.size() != actual.size()) {
      throw new InferenceException("model " + id + ": field " + field + " lists "
          + declared.size() + " tensors, the graph has " + actual.size() + " " + actual.keySet());
    }
    for (int i = 0; i < declared.size(); i++) {
      ModelManifest.IoSpec spec = declared.get(i);
      long[] real = actual.get(spec.name());
      if (real == null) {
        throw new InferenceException("model " + id + ": field " + field + "[" + i + "].name '"
            + spec.name() + "' is not in the graph, which has " + actual.keySet());
      }
      if (spec.shape() != null && !sameShape(spec.shape(), real)) {
        throw new InferenceException("model " + id + ": field " + field + "[" + i + "].shape is "
            + Arrays.toString(spec.shape()) + " but the graph's " + spec.name() + " is "
            + Arrays.toString(real));
      }
    }
  }

  private static boolean sameShape(long[] declared, long[] real) {
    if (declared.length != real.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      boolean symbolic = declared[i] < 0;
      if (symbolic != (real[i] < 0) || (!symbolic && declared[i] != real[i])) {
        return false;
      }
    }
    return true;
  }
}
