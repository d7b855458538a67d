package io.framewatch.inference;

import java.util.Locale;

/** Where a model runs. */
public enum Device {
  /** TensorRT when a GPU, its driver and the TensorRT libraries are present, else ONNX Runtime. */
  AUTO,
  /** ONNX Runtime on the CPU. */
  CPU,
  /** TensorRT on the GPU; fails when it is not available. */
  TENSORRT;

  /** Parses {@code auto}, {@code cpu} or {@code tensorrt} (case-insensitive). */
  public static Device parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device must be auto, cpu or tensorrt, got '" + s + "'", e);
    }
  }
}
