/**
 * TensorRT 10 through the org.bytedeco presets: engine building from ONNX (FP32, FP16, INT8 with
 * entropy calibration), a dynamic-batch optimisation profile, an on-disk engine cache, and a
 * backend that runs with {@code enqueueV3} on reused pinned and device buffers.
 */
package io.framewatch.inference.tensorrt;
