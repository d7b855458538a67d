package io.framewatch.app.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Device;
import io.framewatch.inference.DynamicBatcher;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * {@code framewatch bench inference}: images per second of a bare ONNX Runtime {@code session.run}
 * loop against framewatch's backend + dynamic batcher on the same model, inputs, thread count and
 * machine, measured alternately in the same run. Without a model id it measures every shipped
 * detector and classifier. The batcher side submits each batch's samples together through
 * {@link DynamicBatcher#submitAll}, as detect/ submits the faces of a poll. A model whose graph
 * fixes the batch at 1 (BlazeFace) is measured at batch 1 only, and the output says so.
 */
public final class InferenceBench {
  private final PrintStream out;
  private final ModelStore store;

  /**
   * @param out where the figures go
   * @param store model store
   */
  public InferenceBench(PrintStream out, ModelStore store) {
    this.out = out;
    this.store = store;
  }

  /** Tasks of the models measured when no id is given: the detector and the classifiers. */
  static final List<String> MEASURED_TASKS = List.of("face-detection", "deepfake-classification");

  /** One measured configuration. */
  record Result(String model, int batch, double bareImagesPerSecond, double backendImagesPerSecond,
      double framewatchImagesPerSecond) {
    double ratio() {
      return framewatchImagesPerSecond / bareImagesPerSecond;
    }
  }

  /**
   * Runs the benchmark and prints a table and, last, {@code ratio <worst ratio>}.
   *
   * @param modelIds manifest ids; empty for every shipped detector and classifier
   * @param batches batch sizes to measure (a model with a fixed batch of 1: 1 only)
   * @param seconds measuring time per side, per round
   * @param rounds alternating rounds (the median is reported)
   * @param threads ONNX Runtime intra-op threads on both sides
   * @return the worst ratio
   */
  public double run(List<String> modelIds, List<Integer> batches, double seconds, int rounds,
      int threads) throws Exception {
    List<String> ids = modelIds.isEmpty() ? measuredModels() : modelIds;
    List<Result> results = new ArrayList<>();
    for (String id : ids) {
      results.addAll(run(id, batches, seconds, rounds, threads));
    }
    out.printf(Locale.ROOT, "%n%-20s %6s %12s %14s %22s %8s%n", "model", "batch", "bare img/s",
        "backend img/s", "backend+batcher img/s", "ratio");
    double worst = Double.MAX_VALUE;
    for (Result r : results) {
      out.printf(Locale.ROOT, "%-20s %6d %12.1f %14.1f %22.1f %8.3f%n", r.model(), r.batch(),
          r.bareImagesPerSecond(), r.backendImagesPerSecond(), r.framewatchImagesPerSecond(),
          r.ratio());
      worst = Math.min(worst, r.ratio());
    }
    out.printf(Locale.ROOT, "ratio %.3f%n", worst);
    return worst;
  }

  /** Every model of the store whose task is in {@link #MEASURED_TASKS}, in index order. */
  List<String> measuredModels() {
    return store.ids().stream()
        .filter(id -> MEASURED_TASKS.contains(store.manifest(id).task())).toList();
  }

  private List<Result> run(String modelId, List<Integer> batches, double seconds, int rounds,
      int threads) throws Exception {
    ModelManifest m = store.manifest(modelId);
    Path file = store.resolve(m);
    ModelManifest.IoSpec in = m.inputs().get(0);
    if (m.inputs().size() != 1) {
      throw new IllegalArgumentException("bench inference supports single-input models; "
          + modelId + " has " + m.inputs().size());
    }
    boolean dynamic = in.shape()[0] < 0;
    List<Integer> measured = dynamic ? batches : List.of(1);
    out.printf(Locale.ROOT, "model %s  input %s %s  batch %s  ONNX Runtime CPU, %d intra-op"
            + " thread(s), %d cores%n", modelId, in.name(), Arrays.toString(in.shape()),
        dynamic ? "dynamic" : "fixed at " + in.shape()[0] + " (cannot batch: batch 1 only)",
        threads, Runtime.getRuntime().availableProcessors());
    List<Result> results = new ArrayList<>();
    for (int batch : measured) {
      results.add(measure(m, file, in, batch, seconds, rounds, threads));
    }
    return results;
  }

  private Result measure(ModelManifest m, Path file, ModelManifest.IoSpec in, int batch,
      double seconds, int rounds, int threads) throws Exception {
    long[] sample = in.shape().clone();
    sample[0] = 1;
    int per = Math.toIntExact(Arrays.stream(sample).reduce(1, (a, b) -> a * b));
    Random rnd = new Random(42);
    float[] data = new float[per * batch];
    for (int i = 0; i < data.length; i++) {
      data[i] = rnd.nextFloat() * 2 - 1;
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<Map<String, Tensor>> requests = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      requests.add(Map.of(in.name(), new Tensor(sample,
          Arrays.copyOfRange(data, i * per, (i + 1) * per))));
    }
    BackendOptions opts = BackendOptions.defaults(store.cacheDir()).withDevice(Device.CPU)
        .withThreads(threads, 1);
    double[] bare = new double[rounds];
    double[] direct = new double[rounds];
    double[] fw = new double[rounds];
    Map<String, Tensor> batched = Map.of(in.name(), new Tensor(withBatch(sample, batch), data));
    try (OrtSession session = bareSession(env, file, threads);
        OnnxTensor tensor = OnnxTensor.createTensor(env,
            FloatBuffer.wrap(data.clone()), withBatch(sample, batch));
        // the batcher owns and closes the backend
        DynamicBatcher batcher = new DynamicBatcher(m.id(), store.open(m.id(), opts), batch,
            Duration.ofMillis(5), Math.max(64, 4 * batch), new SimpleMeterRegistry());
        io.framewatch.inference.InferenceBackend alone = store.open(m.id(), opts)) {
      Map<String, OnnxTensor> feed = Map.of(in.name(), tensor);
      // warm-up both paths
      timeBare(session, feed, 1.0);
      timeBatcher(batcher, requests, 1.0);
      timeBackend(alone, batched, 1.0);
      for (int r = 0; r < rounds; r++) {
        bare[r] = batch * timeBare(session, feed, seconds);
        direct[r] = batch * timeBackend(alone, batched, seconds);
        fw[r] = batch * timeBatcher(batcher, requests, seconds);
        out.printf(Locale.ROOT, "  batch %d round %d: bare %.1f, backend %.1f,"
            + " backend+batcher %.1f img/s%n", batch, r + 1, bare[r], direct[r], fw[r]);
      }
    }
    Arrays.sort(bare);
    Arrays.sort(direct);
    Arrays.sort(fw);
    return new Result(m.id(), batch, bare[rounds / 2], direct[rounds / 2], fw[rounds / 2]);
  }

  /** A plain ONNX Runtime session: all graph optimisations, {@code threads} intra-op threads. */
  static OrtSession bareSession(OrtEnvironment env, Path file, int threads) throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(threads);
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      return env.createSession(file.toString(), so);
    }
  }

  /** Iterations per second of the bare loop: each iteration is one batch of images. */
  static double timeBare(OrtSession session, Map<String, OnnxTensor> feed,
      double seconds) throws OrtException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long iterations = 0;
    while (System.nanoTime() < end) {
      try (OrtSession.Result res = session.run(feed)) {
        // read every output, as any caller does with its results
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> o : res) {
          ((OnnxTensor) o.getValue()).getFloatBuffer();
        }
      }
      iterations++;
    }
    return iterations / ((System.nanoTime() - start) / 1e9);
  }

  private static long[] withBatch(long[] sample, int batch) {
    long[] s = sample.clone();
    s[0] = batch;
    return s;
  }

  /** Iterations per second of the backend alone (no batcher): one batch per iteration. */
  private static double timeBackend(io.framewatch.inference.InferenceBackend b,
      Map<String, Tensor> batch, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long iterations = 0;
    while (System.nanoTime() < end) {
      b.run(batch);
      iterations++;
    }
    return iterations / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * Iterations per second through the batcher: each iteration submits one batch of requests
   * together and waits for all of them.
   */
  private static double timeBatcher(DynamicBatcher batcher, List<Map<String, Tensor>> requests,
      double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long iterations = 0;
    while (System.nanoTime() < end) {
      for (CompletableFuture<Map<String, Tensor>> f : batcher.submitAll(requests)) {
        f.get();
      }
      iterations++;
    }
    return iterations / ((System.nanoTime() - start) / 1e9);
  }
}
