package io.framewatch.inference;

/** Arithmetic precision of a TensorRT engine (ONNX Runtime on CPU always runs the graph's FP32). */
public enum Precision {
  /** 32-bit float, bit-comparable to ONNX Runtime within 1e-3. */
  FP32,
  /** 16-bit float where faster; within 1e-2 of FP32 on our models. */
  FP16,
  /** 8-bit integer with an entropy calibrator fed by sample inputs; FP16/FP32 fallback per layer. */
  INT8
}
