package io.framewatch.inference.tensorrt;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** TensorRT's logger callback, forwarded to SLF4J. */
final class TrtLogger extends ILogger {
  private static final Logger LOG = LoggerFactory.getLogger("io.framewatch.inference.tensorrt");

  @Override
  public void log(Severity severity, String msg) {
    switch (severity) {
      case kINTERNAL_ERROR, kERROR -> LOG.error("TensorRT: {}", msg);
      case kWARNING -> LOG.warn("TensorRT: {}", msg);
      case kINFO -> LOG.debug("TensorRT: {}", msg);
      default -> LOG.trace("TensorRT: {}", msg);
    }
  }
}
