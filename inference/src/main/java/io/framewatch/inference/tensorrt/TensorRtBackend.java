package io.framewatch.inference.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * {@link InferenceBackend} on TensorRT 10 (through the org.bytedeco presets): an engine from
 * {@link TensorRtEngines} (built from ONNX with nvonnxparser or loaded from the engine cache), one
 * execution context, one CUDA stream, device buffers sized for the profile's largest batch and
 * pinned host buffers, all reused across calls. Runs with {@code enqueueV3}. Not thread-safe: one
 * instance per thread.
 */
public final class TensorRtBackend implements InferenceBackend {
  private final String modelId;
  private final TensorRtEngines.Engine engine;
  private final IExecutionContext context;
  private final CUstream_st stream;
  private int maxBatch;
  private final List<Io> inputs = new ArrayList<>();
  private final List<Io> outputs = new ArrayList<>();
  private boolean closed;

  /** One I/O tensor: its per-sample shape and its reused buffers, sized for the largest batch. */
  private static final class Io {
    final String name;
    final long[] shape;
    final long sampleFloats;
    final Pointer device = new Pointer();
    final FloatPointer host;

    Io(String name, long[] shape, int maxBatch) throws InferenceException {
      this.name = name;
      this.shape = shape;
      long n = 1;
      for (int i = 1; i < shape.length; i++) {
        n *= shape[i];
      }
      this.sampleFloats = n;
      long bytes = n * maxBatch * Float.BYTES;
      Cuda.check(cudaMalloc(device, bytes), "cudaMalloc " + name);
      Pointer pinned = new Pointer();
      boolean ok = false;
      try {
        Cuda.check(cudaMallocHost(pinned, bytes), "cudaMallocHost " + name);
        ok = true;
      } finally {
        if (!ok) {
          // this Io never reaches the backend's lists, so nothing else would free it
          cudaFree(device);
        }
      }
      this.host = new FloatPointer(pinned).capacity(n * maxBatch);
    }

    void free() {
      cudaFree(device);
      cudaFreeHost(host);
    }
  }

  private TensorRtBackend(String modelId, TensorRtEngines.Engine engine, int maxBatch)
      throws InferenceException {
    this.modelId = modelId;
    this.engine = engine;
    this.maxBatch = maxBatch;
    // The stream handle is a plain Java object; lease the context after it so that nothing can
    // fail between the lease and the try block whose failure path hands the context back.
    this.stream = new CUstream_st();
    this.context = engine.leaseContext();
    boolean ok = false;
    try {
      Cuda.check(cudaStreamCreate(stream), "cudaStreamCreate");
      var e = engine.cudaEngine();
      for (int i = 0; i < e.getNbIOTensors(); i++) {
        String name = e.getIOTensorName(i);
        if (e.getTensorDataType(name) != DataType.kFLOAT) {
          throw new InferenceException("model " + modelId + ": tensor " + name + " is "
              + e.getTensorDataType(name) + "; this backend feeds float32 only");
        }
        long[] shape = dims(e.getTensorShape(name));
        for (int d = 1; d < shape.length; d++) {
          if (shape[d] < 0) {
            throw new InferenceException("model " + modelId + ": tensor " + name + " has shape "
                + Arrays.toString(shape) + "; only the batch dimension may be dynamic");
          }
        }
        if (shape.length > 0 && shape[0] > 0) {
          // a fixed batch in the graph caps what this backend accepts
          this.maxBatch = Math.min(this.maxBatch, (int) shape[0]);
          shape[0] = -1;
        }
        Io io = new Io(name, shape, this.maxBatch);
        (e.getTensorIOMode(name) == TensorIOMode.kINPUT ? inputs : outputs).add(io);
        if (!context.setTensorAddress(name, io.device)) {
          throw new InferenceException("model " + modelId + ": setTensorAddress(" + name + ")");
        }
      }
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /**
   * Opens a model on the GPU.
   *
   * @param modelId manifest id
   * @param onnx the ONNX file
   * @param sha256 the file's digest (part of the engine cache key)
   * @param options precision, batch profile, engine cache directory, calibration samples
   * @throws LinkageError when TensorRT, CUDA or the driver are absent
   * @throws InferenceException when no GPU is usable or the engine cannot be built
   */
  public static TensorRtBackend open(String modelId, java.nio.file.Path onnx, String sha256,
      BackendOptions options) throws InferenceException {
    GpuInfo gpu = GpuInfo.probe();
    TensorRtEngines.Engine engine = TensorRtEngines.get(modelId, onnx, sha256, gpu, options);
    return new TensorRtBackend(modelId, engine, options.maxBatch());
  }

  @Override
  public String device() {
    return "tensorrt-" + engine.precision().name().toLowerCase(java.util.Locale.ROOT) + " ("
        + engine.gpu().gpuName() + ")";
  }

  @Override
  public List<String> inputNames() {
    return inputs.stream().map(io -> io.name).toList();
  }

  @Override
  public List<String> outputNames() {
    return outputs.stream().map(io -> io.name).toList();
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> in) throws InferenceException {
    long batch = -1;
    for (Io io : inputs) {
      Tensor t = in.get(io.name);
      if (t == null) {
        throw new InferenceException("model " + modelId + ": missing input '" + io.name + "'");
      }
      long n = t.shape()[0];
      if (batch >= 0 && n != batch) {
        throw new InferenceException("model " + modelId + ": inputs disagree on the batch size");
      }
      batch = n;
      if (n < 1 || n > maxBatch || t.data().length != n * io.sampleFloats) {
        throw new InferenceException("model " + modelId + ": input " + io.name + " "
            + Arrays.toString(t.shape()) + " does not fit " + Arrays.toString(io.shape)
            + " with batch 1.." + maxBatch);
      }
      io.host.position(0).put(t.data(), 0, t.data().length);
      long bytes = (long) t.data().length * Float.BYTES;
      Cuda.check(cudaMemcpyAsync(io.device, io.host, bytes, cudaMemcpyHostToDevice, stream),
          "cudaMemcpyAsync H2D");
      long[] shape = io.shape.clone();
      shape[0] = n;
      try (Dims64 d = toDims(shape)) {
        if (!context.setInputShape(io.name, d)) {
          throw new InferenceException("model " + modelId + ": setInputShape(" + io.name + ", "
              + Arrays.toString(shape) + ") rejected by the optimisation profile");
        }
      }
    }
    if (!context.enqueueV3(stream)) {
      throw new InferenceException("model " + modelId + ": enqueueV3 failed");
    }
    List<long[]> shapes = new ArrayList<>();
    for (Io io : outputs) {
      long[] shape = dims(context.getTensorShape(io.name));
      shapes.add(shape);
      long floats = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      Cuda.check(cudaMemcpyAsync(io.host, io.device, floats * Float.BYTES,
          cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync D2H");
    }
    Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      Io io = outputs.get(i);
      long[] shape = shapes.get(i);
      float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
      io.host.position(0).get(data);
      out.put(io.name, new Tensor(shape, data));
    }
    return out;
  }

  static long[] dims(Dims64 d) {
    long[] s = new long[d.nbDims()];
    for (int i = 0; i < s.length; i++) {
      s[i] = d.d(i);
    }
    return s;
  }

  static Dims64 toDims(long[] shape) {
    Dims64 d = new Dims64();
    d.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      d.d(i, shape[i]);
    }
    return d;
  }

  /**
   * Frees this backend's device and pinned buffers and its stream, and hands its execution
   * context back to the engine for reuse (TensorRT objects cannot be deleted from Java with the
   * 1.5.13 presets: bytedeco/javacpp-presets#1699).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!stream.isNull()) {
      cudaStreamSynchronize(stream);
      cudaStreamDestroy(stream);
    }
    inputs.forEach(Io::free);
    outputs.forEach(Io::free);
    engine.returnContext(context);
  }
}
