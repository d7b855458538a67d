package io.framewatch.inference.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorrt.nvinfer.IInt8EntropyCalibrator2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INT8 entropy calibration (TensorRT's IInt8EntropyCalibrator2) fed with sample inputs, one sample
 * per calibration batch; the resulting scale table is kept next to the engine so a rebuild need
 * not calibrate again.
 */
final class EntropyCalibrator extends IInt8EntropyCalibrator2 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EntropyCalibrator.class);

  private final Iterator<Map<String, Tensor>> samples;
  private final Path cacheFile;
  private final Map<String, Pointer> device = new HashMap<>();
  private final Map<String, Long> deviceBytes = new HashMap<>();
  private BytePointer cached;

  EntropyCalibrator(List<Map<String, Tensor>> samples, Path cacheFile) {
    this.samples = List.copyOf(samples).iterator();
    this.cacheFile = cacheFile;
  }

  @Override
  public int getBatchSize() {
    return 1;
  }

  @Override
  public boolean getBatch(PointerPointer bindings, PointerPointer names, int nbBindings) {
    if (!samples.hasNext()) {
      return false;
    }
    Map<String, Tensor> sample = samples.next();
    try {
      for (int i = 0; i < nbBindings; i++) {
        String name = names.getString(i);
        Tensor t = sample.get(name);
        if (t == null) {
          LOG.error("INT8 calibration sample has no input '{}'", name);
          return false;
        }
        long bytes = (long) t.data().length * Float.BYTES;
        Pointer buf = device.get(name);
        if (buf == null || deviceBytes.get(name) < bytes) {
          if (buf != null) {
            cudaFree(buf);
          }
          buf = new Pointer();
          Cuda.check(cudaMalloc(buf, bytes), "cudaMalloc (calibration)");
          device.put(name, buf);
          deviceBytes.put(name, bytes);
        }
        try (FloatPointer host = new FloatPointer(t.data())) {
          Cuda.check(cudaMemcpy(buf, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
        }
        bindings.put(i, buf);
      }
      return true;
    } catch (InferenceException e) {
      LOG.error("INT8 calibration failed: {}", e.getMessage());
      return false;
    }
  }

  @Override
  public Pointer readCalibrationCache(LongPointer length) {
    try {
      if (!Files.isRegularFile(cacheFile)) {
        length.put(0L);
        return null;
      }
      byte[] bytes = Files.readAllBytes(cacheFile);
      cached = new BytePointer(bytes);
      length.put(bytes.length);
      return cached;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeCalibrationCache(Pointer cache, long length) {
    byte[] bytes = new byte[Math.toIntExact(length)];
    new BytePointer(cache).capacity(length).get(bytes);
    try {
      Files.createDirectories(cacheFile.getParent());
      Files.write(cacheFile, bytes);
    } catch (IOException e) {
      LOG.warn("could not keep the INT8 calibration table: {}", e.toString());
    }
  }

  @Override
  public void close() {
    device.values().forEach(p -> cudaFree(p));
    device.clear();
    if (cached != null) {
      cached.close();
    }
  }
}
