package io.framewatch.inference;

import java.util.List;
import java.util.Map;

/**
 * Runs one model on one device. One instance per thread; the caller closes it. Pre- and
 * post-processing live outside the backend (decoders, aligners, tilers).
 */
public interface InferenceBackend extends AutoCloseable {

  /** What runs the model, e.g. {@code onnxruntime-cpu} or {@code tensorrt-fp16 (NVIDIA H100)}. */
  String device();

  /** Names of the model's inputs, in graph order. */
  List<String> inputNames();

  /** Names of the model's outputs, in graph order. */
  List<String> outputNames();

  /**
   * Runs the model.
   *
   * @param inputs one tensor per input name
   * @return every output by name, copied to the heap
   * @throws InferenceException when the inputs do not fit the model or the runtime fails
   */
  Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException;

  /**
   * Runs a single-input model and returns its first output.
   *
   * @param input the tensor for the only input
   * @return the first output, copied to the heap
   * @throws InferenceException when the input does not fit the model or the runtime fails
   */
  default Tensor run(Tensor input) throws InferenceException {
    return run(Map.of(inputNames().get(0), input)).get(outputNames().get(0));
  }

  /** Releases the model's native resources. */
  @Override
  void close();
}
