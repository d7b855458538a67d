package io.framewatch.inference.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's TensorRT engines, one per cache key, each with a pool of execution contexts.
 * TensorRT objects cannot be deleted from Java with the 1.5.13 presets (their deallocators are not
 * set: bytedeco/javacpp-presets#1699), so engines live as long as the process and contexts are
 * reused rather than created per backend; memory stays bounded by models x concurrent workers.
 */
final class TensorRtEngines {
  private static final Logger LOG = LoggerFactory.getLogger(TensorRtEngines.class);
  private static final long WORKSPACE_BYTES = 1L << 30;
  /** Registry of native engines: process-wide because the engines cannot be freed. */
  private static final Map<String, Engine> ENGINES = new ConcurrentHashMap<>();
  private static final ILogger TRT_LOG = new TrtLogger();

  private TensorRtEngines() {}

  /** A deserialised engine with its reusable execution contexts. */
  static final class Engine {
    private final ICudaEngine engine;
    private final GpuInfo gpu;
    private final Precision precision;
    private final Deque<IExecutionContext> idle = new ArrayDeque<>();

    Engine(ICudaEngine engine, GpuInfo gpu, Precision precision) {
      this.engine = engine;
      this.gpu = gpu;
      this.precision = precision;
    }

    ICudaEngine cudaEngine() {
      return engine;
    }

    GpuInfo gpu() {
      return gpu;
    }

    Precision precision() {
      return precision;
    }

    synchronized IExecutionContext leaseContext() throws InferenceException {
      IExecutionContext c = idle.poll();
      if (c == null) {
        c = engine.createExecutionContext();
        if (c == null || c.isNull()) {
          throw new InferenceException("TensorRT could not create an execution context");
        }
      }
      return c;
    }

    synchronized void returnContext(IExecutionContext c) {
      idle.push(c);
    }
  }

  static Engine get(String modelId, Path onnx, String sha256, GpuInfo gpu, BackendOptions o)
      throws InferenceException {
    String key = EngineCache.key(sha256, gpu, o);
    Engine e = ENGINES.get(key);
    if (e != null) {
      return e;
    }
    synchronized (TensorRtEngines.class) {
      e = ENGINES.get(key);
      if (e == null) {
        e = load(modelId, onnx, gpu, o, key);
        ENGINES.put(key, e);
      }
      return e;
    }
  }

  private static Engine load(String modelId, Path onnx, GpuInfo gpu, BackendOptions o, String key)
      throws InferenceException {
    Path file = EngineCache.file(o.engineCache(), modelId, key, o);
    byte[] plan;
    try {
      if (Files.isRegularFile(file)) {
        plan = Files.readAllBytes(file);
        LOG.info("model {}: TensorRT engine from cache {}", modelId, file);
      } else {
        long t0 = System.nanoTime();
        plan = build(modelId, onnx, o, file.resolveSibling(file.getFileName() + ".calib"));
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".engine", ".tmp");
        Files.write(tmp, plan);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("model {}: built a {} TensorRT engine for {} in {} s, cached as {}", modelId,
            o.precision(), gpu.gpuName(), (System.nanoTime() - t0) / 1_000_000_000, file);
      }
    } catch (IOException ex) {
      throw new InferenceException("model " + modelId + ": engine cache " + file + ": " + ex, ex);
    }
    IRuntime runtime = createInferRuntime(TRT_LOG);
    try (BytePointer blob = new BytePointer(plan)) {
      ICudaEngine engine = runtime.deserializeCudaEngine(blob, plan.length);
      if (engine == null || engine.isNull()) {
        throw new InferenceException("model " + modelId + ": TensorRT could not deserialise "
            + file + " (delete it to rebuild)");
      }
      return new Engine(engine, gpu, o.precision());
    }
  }

  /** Parses the ONNX file and builds a serialised engine with one batch profile. */
  private static byte[] build(String modelId, Path onnx, BackendOptions o, Path calibCache)
      throws InferenceException {
    IBuilder builder = createInferBuilder(TRT_LOG);
    // TensorRT 10 networks are always explicit-batch; no creation flag is needed.
    INetworkDefinition network = builder.createNetworkV2(0);
    IParser parser = nvonnxparser.createParser(network, TRT_LOG);
    if (!parser.parseFromFile(onnx.toString(), ILogger.Severity.kWARNING.value)) {
      StringBuilder why = new StringBuilder();
      for (int i = 0; i < parser.getNbErrors(); i++) {
        why.append("; ").append(parser.getError(i).desc());
      }
      throw new InferenceException("model " + modelId + ": TensorRT cannot parse " + onnx + why);
    }
    IBuilderConfig config = builder.createBuilderConfig();
    config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, WORKSPACE_BYTES);
    IOptimizationProfile profile = builder.createOptimizationProfile();
    boolean dynamic = false;
    for (int i = 0; i < network.getNbInputs(); i++) {
      ITensor in = network.getInput(i);
      long[] shape = TensorRtBackend.dims(in.getDimensions());
      if (shape.length == 0 || shape[0] >= 0) {
        continue; // a fixed batch (e.g. BlazeFace's 1) needs no profile
      }
      dynamic = true;
      for (int d = 1; d < shape.length; d++) {
        if (shape[d] < 0) {
          throw new InferenceException("model " + modelId + ": input " + in.getName()
              + " has a dynamic dimension " + d + "; only the batch may be dynamic");
        }
      }
      setProfile(profile, in.getName(), shape, OptProfileSelector.kMIN, o.minBatch());
      setProfile(profile, in.getName(), shape, OptProfileSelector.kOPT, o.optBatch());
      setProfile(profile, in.getName(), shape, OptProfileSelector.kMAX, o.maxBatch());
    }
    if (dynamic) {
      config.addOptimizationProfile(profile);
    }
    EntropyCalibrator calibrator = null;
    try {
      switch (o.precision()) {
        case FP32 -> { }
        case FP16 -> config.setFlag(BuilderFlag.kFP16);
        case INT8 -> {
          config.setFlag(BuilderFlag.kINT8);
          // Layers without INT8 kernels fall back to FP16 rather than FP32.
          config.setFlag(BuilderFlag.kFP16);
          calibrator = new EntropyCalibrator(o.calibration(), calibCache);
          config.setInt8Calibrator(calibrator);
          if (dynamic) {
            config.setCalibrationProfile(profile);
          }
        }
      }
      IHostMemory plan = builder.buildSerializedNetwork(network, config);
      if (plan == null || plan.isNull()) {
        throw new InferenceException("model " + modelId + ": TensorRT could not build an engine"
            + " (see the TensorRT log)");
      }
      byte[] bytes = new byte[Math.toIntExact(plan.size())];
      new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
      return bytes;
    } finally {
      if (calibrator != null) {
        calibrator.close();
      }
    }
  }

  private static void setProfile(IOptimizationProfile p, String name, long[] shape,
      OptProfileSelector which, int batch) throws InferenceException {
    long[] s = shape.clone();
    s[0] = batch;
    try (Dims64 d = TensorRtBackend.toDims(s)) {
      if (!p.setDimensions(name, which, d)) {
        throw new InferenceException("TensorRT rejected the " + which + " profile of " + name);
      }
    }
  }
}
