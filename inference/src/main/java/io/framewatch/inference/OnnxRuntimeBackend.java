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
    try (Feeds feeds = new Feeds()) {
      for (String name : inputs) {
        Tensor t = in.get(name);
        if (t == null) {
          throw new InferenceException("model " + modelName + ": missing input '" + name + "'");
        }
        FloatBuffer buf = staging(name, t.data().length);
        buf.put(t.data()).flip();
        feeds.add(name, OnnxTensor.createTensor(env, buf, t.shape()));
      }
      return runFeeds(feeds);
    } catch (OrtException e) {
      throw new InferenceException("model " + modelName + ": run failed: " + e.getMessage(), e);
    }
  }

  /** Copies each sample once, straight into the staging buffer, instead of stacking it first. */
  @Override
  public Map<String, Tensor> runBatch(List<Map<String, Tensor>> samples)
      throws InferenceException {
    try (Feeds feeds = new Feeds()) {
      for (String name : inputs) {
        long[] shape;
        try {
          shape = Batches.stackedShape(samples, name);
        } catch (InferenceException e) {
          throw new InferenceException("model " + modelName + ": " + e.getMessage(), e);
        }
        FloatBuffer buf = staging(name, samples.size() * samples.get(0).get(name).data().length);
        for (Map<String, Tensor> s : samples) {
          buf.put(s.get(name).data());
        }
        buf.flip();
        feeds.add(name, OnnxTensor.createTensor(env, buf, shape));
      }
      return runFeeds(feeds);
    } catch (OrtException e) {
      throw new InferenceException("model " + modelName + ": run failed: " + e.getMessage(), e);
    }
  }

  private Map<String, Tensor> runFeeds(Feeds feeds) throws OrtException {
    try (OrtSession.Result result = session.run(feeds.tensors)) {
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
  }

  /** The input tensors of one run; closing closes every one of them. */
  private static final class Feeds implements AutoCloseable {
    private final Map<String, OnnxTensor> tensors = new HashMap<>();

    void add(String name, OnnxTensor t) {
      tensors.put(name, t);
    }

    @Override
    public void close() {
      for (OnnxTensor t : tensors.values()) {
        t.close();
      }
    }
  }

  /**
   * This input's reusable direct buffer, cleared, holding at least {@code floats} values (grown
   * when a larger batch arrives), so ONNX Runtime reads it in place.
   */
  private FloatBuffer staging(String input, int floats) {
    FloatBuffer buf = staging.get(input);
    if (buf == null || buf.capacity() < floats) {
      buf = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
      staging.put(input, buf);
    }
    buf.clear();
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
