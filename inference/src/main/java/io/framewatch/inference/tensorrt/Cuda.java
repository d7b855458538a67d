package io.framewatch.inference.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;

import io.framewatch.inference.InferenceException;

/** CUDA runtime error checks. */
final class Cuda {
  private Cuda() {}

  /** Throws when a CUDA runtime call did not return cudaSuccess (0). */
  static void check(int status, String what) throws InferenceException {
    if (status != 0) {
      throw new InferenceException("CUDA " + what + " failed: "
          + cudaGetErrorString(status).getString() + " (" + status + ")");
    }
  }
}
