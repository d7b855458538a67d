package io.framewatch.detect;

import io.framewatch.inference.InferenceException;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import io.framewatch.topic.ConsumerLoop;
import io.framewatch.topic.FailurePolicy;
import io.framewatch.topic.Topics;
import io.framewatch.topic.Workers;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detect stage: consumes {@code frames.detect}, publishes one {@link FrameAnalysis} per frame
 * to {@code detections} (keyed by video). Records that are not frames go to the dead-letter topic.
 */
public final class DetectApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectApp.class);

  private final Workers workers;

  private DetectApp(Workers workers) {
    this.workers = workers;
  }

  /**
   * Fetches and verifies the models, then starts the workers.
   *
   * @throws InferenceException when a model is missing or does not load
   */
  public static DetectApp start(DetectConfig cfg, ModelStore models) throws InferenceException {
    // Fetch and verify every model once up front, so a bad model fails the start, not a worker.
    models.resolve(models.manifest(cfg.detectorModel()));
    if (cfg.classifierModel().isPresent()) {
      models.resolve(models.manifest(cfg.classifierModel().get()));
      if (cfg.compressedClassifierModel().isPresent()) {
        models.resolve(models.manifest(cfg.compressedClassifierModel().get()));
        LOG.info("detect: deepfake classifier {}; {} for frames with QP >= {}",
            cfg.classifierModel().get(), cfg.compressedClassifierModel().get(), cfg.routeQp());
      } else {
        LOG.info("detect: deepfake classifier {}", cfg.classifierModel().get());
      }
    } else {
      LOG.info("detect: no deepfake classifier installed; faces are reported with model 'none'");
    }
    BackendOptions options = BackendOptions.defaults(models.cacheDir())
        .withDevice(cfg.device()).withThreads(cfg.intraOpThreads(), 1);
    String host = hostName();
    Workers w = new Workers("detect", cfg.workers(), i -> {
      String worker = host + "/detect-" + i;
      FrameAnalyzer analyzer = openAnalyzer(cfg, models, options, worker);
      return new ConsumerLoop("detect", Topics.FRAMES_DETECT.name(),
          cfg.kafka().consumer(cfg.group(), worker, true),
          cfg.kafka().producer(worker, false),
          (record, out) -> {
            FrameRecord frame = Topics.FRAMES_DETECT.value(record.value());
            if (frame == null || frame.getVideoId().isEmpty()) {
              throw new IllegalArgumentException("frame record without a video id");
            }
            FrameAnalysis result = analyzer.analyze(frame);
            out.send(Topics.DETECTIONS.record(frame.getVideoId(), result));
          }, FailurePolicy.DEAD_LETTER, analyzer);
    });
    return new DetectApp(w);
  }

  private static FrameAnalyzer openAnalyzer(DetectConfig cfg, ModelStore models,
      BackendOptions options, String worker) {
    try {
      BlazeFaceDetector det = new BlazeFaceDetector(BlazeFaceSpec.forModel(cfg.detectorModel()),
          models.open(cfg.detectorModel(), options), cfg.minFaceScore());
      Optional<ClassifierRoute> route = Optional.empty();
      if (cfg.classifierModel().isPresent()) {
        String id = cfg.classifierModel().get();
        DeepfakeClassifier clean = new DeepfakeClassifier(id, models.open(id, options));
        Optional<DeepfakeClassifier> compressed = Optional.empty();
        if (cfg.compressedClassifierModel().isPresent()) {
          String cid = cfg.compressedClassifierModel().get();
          compressed = Optional.of(new DeepfakeClassifier(cid, models.open(cid, options)));
        }
        route = Optional.of(new ClassifierRoute(clean, compressed, cfg.routeQp()));
      }
      return new FrameAnalyzer(det, route, worker);
    } catch (InferenceException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static String hostName() {
    String h = System.getenv("HOSTNAME");
    return h == null || h.isBlank() ? "local" : h;
  }

  @Override
  public void close() {
    workers.close();
  }
}
