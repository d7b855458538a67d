package io.framewatch.inference.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;

import io.framewatch.inference.InferenceException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

/**
 * What the engine cache key needs to know about the GPU and TensorRT: the first CUDA device's
 * name and compute capability, and the TensorRT library version.
 *
 * @param gpuName e.g. "NVIDIA H100 80GB HBM3"
 * @param computeCapability e.g. "9.0"
 * @param tensorRtVersion e.g. "10.15.1"
 */
public record GpuInfo(String gpuName, String computeCapability, String tensorRtVersion) {

  /**
   * Loads the CUDA and TensorRT native libraries and describes device 0.
   *
   * @throws LinkageError when the native libraries or the driver are absent (first call:
   *     {@link UnsatisfiedLinkError}; later calls: {@link NoClassDefFoundError})
   * @throws InferenceException when the libraries load but no CUDA device is usable
   */
  public static GpuInfo probe() throws InferenceException {
    Loader.load(org.bytedeco.cuda.global.cudart.class);
    Loader.load(nvinfer.class);
    Loader.load(nvonnxparser.class);
    int[] count = new int[1];
    Cuda.check(cudaGetDeviceCount(count), "cudaGetDeviceCount");
    if (count[0] < 1) {
      throw new InferenceException("no CUDA device");
    }
    try (cudaDeviceProp p = new cudaDeviceProp()) {
      Cuda.check(cudaGetDeviceProperties(p, 0), "cudaGetDeviceProperties");
      int v = nvinfer.getInferLibVersion();
      // TensorRT encodes its version as major * 10000 + minor * 100 + patch.
      String trt = (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
      return new GpuInfo(p.name().getString().trim(), p.major() + "." + p.minor(), trt);
    }
  }
}
