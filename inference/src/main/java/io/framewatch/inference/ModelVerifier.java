package io.framewatch.inference;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
