package io.framewatch.inference.tensorrt;

import io.framewatch.inference.BackendOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a serialised TensorRT engine lives. An engine is only valid for the exact model, TensorRT
 * version, GPU model and compute capability, precision and batch profile it was built with, so
 * all of them are part of its key; change any and the engine is rebuilt.
 */
public final class EngineCache {
  private EngineCache() {}

  /** The key of an engine: hex SHA-256 over every property that makes it valid. */
  public static String key(String modelSha256, GpuInfo gpu, BackendOptions o) {
    String spec = String.join("|", modelSha256, gpu.tensorRtVersion(), gpu.gpuName(),
        gpu.computeCapability(), o.precision().name(),
        o.minBatch() + "/" + o.optBatch() + "/" + o.maxBatch());
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(spec.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM without SHA-256", e);
    }
  }

  /** File of the engine for {@code modelId} under the key. */
  public static Path file(Path dir, String modelId, String key, BackendOptions o) {
    return dir.resolve(modelId + "-" + o.precision().name().toLowerCase(java.util.Locale.ROOT) + "-"
        + key.substring(0, 16) + ".engine");
  }
}
