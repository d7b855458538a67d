package io.framewatch.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link InferenceBackend} on ONNX Runtime's CPU execution provider. Input data is staged in one
 * direct buffer per input, reused across calls (grown when a larger batch arrives), so ONNX
 * Runtime reads it in place instead of copying a fresh array every run. Not thread-safe: one
 * instance per thread.
 */
public final class OnnxRuntimeBackend implements InferenceBackend {
  private final String modelName;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<String> inputs;
  private final List<String> outputs;
  private final Map<String, FloatBuffer> staging = new HashMap<>();
  private boolean closed;

  /**
   * Loads a model with default options (1 intra-op thread, all graph optimisations).
   *
   * @param modelName name used in error messages (manifest id)
   * @param file the .onnx file
   * @param intraOpThreads threads inside one operator
   * @throws InferenceException when ONNX Runtime cannot load the file
   */
  public OnnxRuntimeBackend(String modelName, Path file, int intraOpThreads)
      throws InferenceException {
    this(modelName, file, BackendOptions.defaults(Path.of(".")).withThreads(intraOpThreads, 1));
  }

  /**
   * Loads a model.
   *
   * @param modelName name used in error messages (manifest id)
   * @param file the .onnx file
   * @param options threads and graph optimisation level
   * @throws InferenceException when ONNX Runtime cannot load the file
   */
  public OnnxRuntimeBackend(String modelName, Path file, BackendOptions options)
      throws InferenceException {
    this.modelName = modelName;
    this.env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(options.intraOpThreads());
      opts.setInterOpNumThreads(options.interOpThreads());
      opts.setOptimizationLevel(switch (options.optimization()) {
        case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      // The optimiser's notices (e.g. unused initializers in BlazeFace) are not the user's concern.
      opts.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      this.session = env.createSession(file.toString(), opts);
      this.inputs = List.copyOf(session.getInputNames());
      this.outputs = List.copyOf(session.getOutputNames());
    } catch (OrtException e) {
      throw new InferenceException(
          "model " + modelName + ": ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String device() {
    return "onnxruntime-cpu";
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
    return shapes(true);
  }

  /** Shapes of the graph's outputs as declared in the file (-1 for symbolic dimensions). */
  public Map<String, long[]> outputShapes() throws InferenceException {
    return shapes(false);
  }

  private Map<String, long[]> shapes(boolean in) throws InferenceException {
    try {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      var info = in ? session.getInputInfo() : session.getOutputInfo();
      for (var e : info.entrySet()) {
        shapes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
      }
      return shapes;
    } catch (OrtException | ClassCastException e) {
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
        feeds.put(name, OnnxTensor.createTensor(env, stage(name, t.data()), t.shape()));
      }
      try (OrtSession.Result result = session.run(feeds)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          OnnxTensor o = (OnnxTensor) e.getValue();
          // getFloatBuffer() already copies into a fresh heap buffer: take its array as is
          FloatBuffer fb = o.getFloatBuffer();
          float[] data;
          if (fb.hasArray() && fb.arrayOffset() == 0 && fb.array().length == fb.remaining()) {
            data = fb.array();
          } else {
            data = new float[fb.remaining()];
            fb.get(data);
          }
          out.put(e.getKey(), new Tensor(o.getInfo().getShape(), data));
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

  /** Copies {@code data} into this input's reusable direct buffer. */
  private FloatBuffer stage(String input, float[] data) {
    FloatBuffer buf = staging.get(input);
    if (buf == null || buf.capacity() < data.length) {
      buf = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
      staging.put(input, buf);
    }
    buf.clear();
    buf.put(data).flip();
    return buf;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("model " + modelName + ": close failed", e);
    }
  }
}
