package io.framewatch.inference;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run a model: device, threads and, for TensorRT, precision, batch profile and engine cache.
 *
 * @param device where to run
 * @param intraOpThreads ONNX Runtime threads inside one operator (default 1: two are unstable on
 *     2 cores)
 * @param interOpThreads ONNX Runtime threads across operators
 * @param optimization ONNX Runtime graph optimisation level
 * @param precision TensorRT precision
 * @param minBatch smallest batch of the TensorRT optimisation profile
 * @param optBatch batch TensorRT tunes for
 * @param maxBatch largest batch of the TensorRT optimisation profile
 * @param engineCache directory of serialised TensorRT engines
 * @param calibration sample inputs for INT8 calibration (one map of input name to tensor each)
 */
public record BackendOptions(
    Device device,
    int intraOpThreads,
    int interOpThreads,
    Optimization optimization,
    Precision precision,
    int minBatch,
    int optBatch,
    int maxBatch,
    Path engineCache,
    List<Map<String, Tensor>> calibration) {

  /** ONNX Runtime graph optimisation levels. */
  public enum Optimization {
    /** No graph rewriting. */
    NONE,
    /** Constant folding and redundant node elimination. */
    BASIC,
    /** Plus node fusions. */
    EXTENDED,
    /** Everything, including layout optimisations. */
    ALL
  }

  /** Validates the options. */
  public BackendOptions {
    if (intraOpThreads < 1 || interOpThreads < 1) {
      throw new IllegalArgumentException("ONNX Runtime thread counts must be >= 1");
    }
    if (minBatch < 1 || optBatch < minBatch || maxBatch < optBatch) {
      throw new IllegalArgumentException("batch profile must satisfy 1 <= min <= opt <= max, got "
          + minBatch + "/" + optBatch + "/" + maxBatch);
    }
    if (precision == Precision.INT8 && calibration.isEmpty()) {
      throw new IllegalArgumentException("INT8 needs calibration inputs");
    }
    calibration = List.copyOf(calibration);
  }

  /** Defaults: auto device, 1 intra-op thread, all optimisations, FP32, batch 1..8 (opt 1). */
  public static BackendOptions defaults(Path cacheDir) {
    return new BackendOptions(Device.AUTO, 1, 1, Optimization.ALL, Precision.FP32, 1, 1, 8,
        cacheDir.resolve("engines"), List.of());
  }

  /** The same options on another device. */
  public BackendOptions withDevice(Device d) {
    return new BackendOptions(d, intraOpThreads, interOpThreads, optimization, precision, minBatch,
        optBatch, maxBatch, engineCache, calibration);
  }

  /** The same options with other ONNX Runtime thread counts. */
  public BackendOptions withThreads(int intra, int inter) {
    return new BackendOptions(device, intra, inter, optimization, precision, minBatch, optBatch,
        maxBatch, engineCache, calibration);
  }

  /** The same options with another TensorRT precision and its calibration inputs. */
  public BackendOptions withPrecision(Precision p, List<Map<String, Tensor>> samples) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, optimization, p, minBatch,
        optBatch, maxBatch, engineCache, samples);
  }

  /** The same options with another TensorRT batch profile. */
  public BackendOptions withBatchProfile(int min, int opt, int max) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, optimization, precision, min,
        opt, max, engineCache, calibration);
  }

  /** Reads {@code FRAMEWATCH_DEVICE} and {@code FRAMEWATCH_INTRA_OP_THREADS} over the defaults. */
  public static BackendOptions fromEnv(Map<String, String> env, Path cacheDir) {
    BackendOptions d = defaults(cacheDir);
    return d.withDevice(Device.parse(env.getOrDefault("FRAMEWATCH_DEVICE", "auto")))
        .withThreads(Integer.parseInt(env.getOrDefault("FRAMEWATCH_INTRA_OP_THREADS", "1")), 1);
  }
}
