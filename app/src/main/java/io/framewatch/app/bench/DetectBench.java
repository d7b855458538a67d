package io.framewatch.app.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.framewatch.detect.ArtifactMaps;
import io.framewatch.detect.BlazeFaceDetector;
import io.framewatch.detect.DeepfakeClassifier;
import io.framewatch.detect.Face;
import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.frames.Similarity;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Device;
import io.framewatch.inference.MeteredBackend;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code framewatch bench detect}: faces per second of detect/'s classification path (the
 * classifier on its metered backend, all faces of a frame in one {@link DeepfakeClassifier#score}
 * call, as {@code FrameAnalyzer} runs it, artifact maps decoded when the model has them) against
 * a bare ONNX Runtime {@code session.run} loop over
 * the same real crops, same model, same batch and thread count, measured alternately in one run.
 * The crops are the franck still's face, cropped by {@link FaceAligner} and nudged by a few canvas
 * pixels so that no two are alike.
 */
public final class DetectBench {
  private final PrintStream out;
  private final ModelStore store;

  /**
   * @param out where the figures go
   * @param store model store
   */
  public DetectBench(PrintStream out, ModelStore store) {
    this.out = out;
    this.store = store;
  }

  /** One measured model. */
  record Result(String model, int batch, double bareFacesPerSecond, double detectFacesPerSecond) {
    double ratio() {
      return detectFacesPerSecond / bareFacesPerSecond;
    }
  }

  /**
   * Runs the benchmark and prints a table and, last, {@code ratio <worst ratio>}.
   *
   * @param modelIds classifier manifest ids
   * @param batch faces per frame
   * @param seconds measuring time per side, per round
   * @param rounds alternating rounds (the median is reported)
   * @param threads ONNX Runtime intra-op threads on both sides
   * @return the worst ratio
   */
  public double run(List<String> modelIds, int batch, double seconds, int rounds, int threads)
      throws Exception {
    List<float[]> crops = crops(batch);
    List<Result> results = new ArrayList<>();
    for (String id : modelIds) {
      results.add(measure(id, crops, seconds, rounds, threads));
    }
    out.printf(Locale.ROOT, "%n%-12s %6s %16s %18s %8s%n", "model", "batch", "bare faces/s",
        "detect faces/s", "ratio");
    double worst = Double.MAX_VALUE;
    for (Result r : results) {
      out.printf(Locale.ROOT, "%-12s %6d %16.1f %18.1f %8.3f%n", r.model(), r.batch(),
          r.bareFacesPerSecond(), r.detectFacesPerSecond(), r.ratio());
      worst = Math.min(worst, r.ratio());
    }
    out.printf(Locale.ROOT, "ratio %.3f%n", worst);
    return worst;
  }

  /** {@code n} real crops of the franck still's face, each nudged by a different offset. */
  private List<float[]> crops(int n) throws Exception {
    RgbImage img = RgbImage.read(SampleMedia.FRANCK_STILL.fetch(store.cacheDir()));
    var detector = store.manifest("blazeface-front-128");
    Face face;
    try (BlazeFaceDetector det = new BlazeFaceDetector(detector,
        store.open(detector.id(), BackendOptions.defaults(store.cacheDir())
            .withDevice(Device.CPU)), 0.5f)) {
      face = det.detect(img).stream().max(Comparator.comparingDouble(Face::score))
          .orElseThrow(() -> new BenchFailure("no face found in the franck still"));
    }
    Similarity s = FaceAligner.transform(face.keypoints());
    List<float[]> crops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      crops.add(FaceAligner.cropBgrChw(img,
          new Similarity(s.a(), s.b(), s.tx() + (i % 3) - 1, s.ty() + (i / 3 % 3) - 1)));
    }
    return crops;
  }

  private Result measure(String id, List<float[]> crops, double seconds, int rounds,
      int threads) throws Exception {
    int n = crops.size();
    int c = FaceAligner.CANVAS;
    int per = 3 * c * c;
    float[] stacked = new float[n * per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(crops.get(i), 0, stacked, i * per, per);
    }
    String input = store.manifest(id).inputs().get(0).name();
    BackendOptions opts = BackendOptions.defaults(store.cacheDir()).withDevice(Device.CPU)
        .withThreads(threads, 1);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    double[] bare = new double[rounds];
    double[] stage = new double[rounds];
    out.printf(Locale.ROOT, "model %s  %d real crops per frame  ONNX Runtime CPU, %d intra-op"
        + " thread(s), %d cores%n", id, n, threads, Runtime.getRuntime().availableProcessors());
    try (OrtSession session = InferenceBench.bareSession(env,
            store.resolve(store.manifest(id)), threads);
        OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(stacked),
            new long[] {n, 3, c, c});
        DeepfakeClassifier cls = new DeepfakeClassifier(id,
            new MeteredBackend(id, store.open(id, opts), new SimpleMeterRegistry()))) {
      Map<String, OnnxTensor> feed = Map.of(input, tensor);
      InferenceBench.timeBare(session, feed, 1.0);
      timeStage(cls, crops, 1.0);
      for (int r = 0; r < rounds; r++) {
        bare[r] = n * InferenceBench.timeBare(session, feed, seconds);
        stage[r] = n * timeStage(cls, crops, seconds);
        out.printf(Locale.ROOT, "  round %d: bare %.1f, detect %.1f faces/s%n", r + 1, bare[r],
            stage[r]);
      }
    }
    Arrays.sort(bare);
    Arrays.sort(stage);
    return new Result(id, n, bare[rounds / 2], stage[rounds / 2]);
  }

  /** Frames per second of detect/'s classification path: each frame is all the crops. */
  private static final Similarity UNIT = new Similarity(1, 0, 0, 0);

  private static double timeStage(DeepfakeClassifier cls, List<float[]> crops, double seconds)
      throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long iterations = 0;
    while (System.nanoTime() < end) {
      // as FrameAnalyzer: P(fake) and, for a model with an artifact output, each face's map
      // decoded into boxes (the frame transform's cost does not depend on which one)
      for (DeepfakeClassifier.Score score : cls.score(crops)) {
        score.artifact().ifPresent(g -> ArtifactMaps.decode(g.cells(), g.rows(), g.cols(), UNIT));
      }
      iterations++;
    }
    return iterations / ((System.nanoTime() - start) / 1e9);
  }
}
