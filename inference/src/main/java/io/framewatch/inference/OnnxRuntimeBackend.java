package io.framewatch.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link InferenceBackend} on ONNX Runtime's CPU execution provider. */
public final class OnnxRuntimeBackend implements InferenceBackend {
  private final String modelName;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<String> inputs;
  private final List<String> outputs;

  /**
   * Loads a model.
   *
   * @param modelName name used in error messages (manifest id)
   * @param file the .onnx file
   * @param intraOpThreads threads inside one operator; 1 by default, as 2 are unstable on 2 cores
   * @throws InferenceException when ONNX Runtime cannot load the file
   */
  public OnnxRuntimeBackend(String modelName, Path file, int intraOpThreads)
      throws InferenceException {
    this.modelName = modelName;
    this.env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(intraOpThreads);
      opts.setInterOpNumThreads(1);
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // The optimiser's notices (e.g. unused initializers in BlazeFace) are not the user's concern.
      opts.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      this.session = env.createSession(file.toString(), opts);
      this.inputs = List.copyOf(session.getInputNames());
      this.outputs = List.copyOf(session.getOutputNames());
    } catch (OrtException e) {
      throw new InferenceException(
          "model " + modelName + ": ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> inputNames() {
    return inputs;
  }

  @Override
  public List<String> outputNames() {
    return outputs;
  }

  /** Shapes of the graph's inputs as declared in the file (-1 for symbolic dimensions). */
  public Map<String, long[]> inputShapes() throws InferenceException {
    try {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (var e : session.getInputInfo().entrySet()) {
        shapes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
      }
      return shapes;
    } catch (OrtException e) {
      throw new InferenceException("model " + modelName + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> in) throws InferenceException {
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try {
      for (String name : inputs) {
        Tensor t = in.get(name);
        if (t == null) {
          throw new InferenceException("model " + modelName + ": missing input '" + name + "'");
        }
        feeds.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), t.shape()));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          OnnxTensor o = (OnnxTensor) e.getValue();
          long[] shape = o.getInfo().getShape();
          FloatBuffer fb = o.getFloatBuffer();
          float[] data = new float[fb.remaining()];
          fb.get(data);
          out.put(e.getKey(), new Tensor(shape, data));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new InferenceException("model " + modelName + ": run failed: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : new ArrayList<>(feeds.values())) {
        t.close();
      }
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("model " + modelName + ": close failed", e);
    }
  }
}
