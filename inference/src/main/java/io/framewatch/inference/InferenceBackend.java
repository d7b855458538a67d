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
   * Runs several samples as one batch: each sample carries every input with a leading dimension
   * of 1; the result carries every output with a leading dimension of {@code samples.size()}.
   * The default stacks the samples into fresh arrays and calls {@link #run(Map)}; a backend that
   * stages inputs itself overrides it to copy each sample once, straight into its staging buffer.
   *
   * @param samples one map of inputs per sample, all of the same names and shapes
   * @return every output by name, batched, copied to the heap
   * @throws InferenceException when the samples differ, do not fit the model or the runtime fails
   */
  default Map<String, Tensor> runBatch(List<Map<String, Tensor>> samples)
      throws InferenceException {
    return run(Batches.stack(samples));
  }

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
