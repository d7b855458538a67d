package io.framewatch.inference;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A backend that times every run and records its batch size (the leading dimension of the first
 * input) as {@code framewatch.inference.latency} and {@code framewatch.inference.batch}, tagged
 * with the model and device: what a stage's {@code /metrics} shows of its models.
 */
public final class MeteredBackend implements InferenceBackend {
  private final InferenceBackend backend;
  private final Timer latency;
  private final DistributionSummary batch;

  /**
   * @param modelId manifest id (metric tag)
   * @param backend the backend to measure; closed with this one
   * @param registry where the meters go
   */
  public MeteredBackend(String modelId, InferenceBackend backend, MeterRegistry registry) {
    this.backend = backend;
    this.latency = Timer.builder("framewatch.inference.latency")
        .description("wall time of one model run").tags("model", modelId, "device",
            backend.device()).publishPercentileHistogram().register(registry);
    this.batch = DistributionSummary.builder("framewatch.inference.batch")
        .description("inputs per model run").tags("model", modelId, "device", backend.device())
        .register(registry);
  }

  @Override
  public String device() {
    return backend.device();
  }

  @Override
  public List<String> inputNames() {
    return backend.inputNames();
  }

  @Override
  public List<String> outputNames() {
    return backend.outputNames();
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException {
    long t0 = System.nanoTime();
    try {
      return backend.run(inputs);
    } finally {
      latency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      Tensor first = inputs.get(backend.inputNames().get(0));
      if (first != null && first.shape().length > 0) {
        batch.record(first.shape()[0]);
      }
    }
  }

  @Override
  public Map<String, Tensor> runBatch(List<Map<String, Tensor>> samples)
      throws InferenceException {
    long t0 = System.nanoTime();
    try {
      return backend.runBatch(samples);
    } finally {
      latency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      batch.record(samples.size());
    }
  }

  @Override
  public void close() {
    backend.close();
  }
}
