package io.framewatch.inference;

import io.framewatch.inference.tensorrt.TensorRtBackend;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a model on the best device allowed: {@link Device#AUTO} tries TensorRT and falls back to
 * ONNX Runtime on the CPU when the TensorRT/CUDA libraries, the driver or a GPU are absent (a
 * {@link LinkageError} on a machine without them). The choice is logged once per model, with the
 * reason.
 */
public final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  /** Models whose device choice was already logged (log once, not once per worker thread). */
  private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

  private Backends() {}

  /**
   * Opens {@code file}, the verified file of {@code model}.
   *
   * @throws InferenceException when the model cannot be loaded on any allowed device
   */
  public static InferenceBackend open(ModelManifest model, Path file, BackendOptions options)
      throws InferenceException {
    switch (options.device()) {
      case CPU -> {
        announce(model, "ONNX Runtime on the CPU (device=cpu)");
        return new OnnxRuntimeBackend(model.id(), file, options);
      }
      case TENSORRT -> {
        try {
          InferenceBackend b = TensorRtBackend.open(model.id(), file, model.sha256(), options);
          announce(model, b.device() + " (device=tensorrt)");
          return b;
        } catch (LinkageError e) {
          throw new InferenceException("model " + model.id() + ": device=tensorrt but TensorRT is"
              + " not available: " + e, e);
        }
      }
      default -> {
        try {
          InferenceBackend b = TensorRtBackend.open(model.id(), file, model.sha256(), options);
          announce(model, b.device() + " (device=auto)");
          return b;
        } catch (LinkageError | InferenceException e) {
          announce(model, "ONNX Runtime on the CPU (device=auto; TensorRT unavailable: "
              + reason(e) + ")");
          return new OnnxRuntimeBackend(model.id(), file, options);
        }
      }
    }
  }

  /** Whether TensorRT can run here, and if not, why. */
  public static String tensorRtStatus() {
    try {
      return "available: " + io.framewatch.inference.tensorrt.GpuInfo.probe();
    } catch (LinkageError | InferenceException e) {
      return "unavailable: " + reason(e);
    }
  }

  static String reason(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return (nl > 0 ? m.substring(0, nl) : m);
  }

  private static void announce(ModelManifest model, String choice) {
    if (ANNOUNCED.add(model.id() + choice)) {
      LOG.info("model {}: {}", model.id(), choice);
    }
  }
}
