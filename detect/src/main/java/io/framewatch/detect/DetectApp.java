package io.framewatch.detect;

import io.framewatch.frames.FrameImages;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.MeteredBackend;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.LoopOptions;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.WorkerStage;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.Topics;
import io.framewatch.runtime.Input;
import io.framewatch.runtime.Output;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detect stage: consumes {@code frames.detect}, publishes one {@link FrameAnalysis} per frame
 * to {@code detections} (keyed by video). Records that are not frames go to the dead-letter topic.
 */
public final class DetectApp extends WorkerStage {
  private static final Logger LOG = LoggerFactory.getLogger(DetectApp.class);

  private final DetectConfig cfg;
  private final ModelStore models;
  private final StageContext ctx;

  /**
   * @param cfg stage settings
   * @param models where models are fetched and verified
   * @param ctx the process's meters and worker-death policy
   */
  public DetectApp(DetectConfig cfg, ModelStore models, StageContext ctx) {
    this.cfg = cfg;
    this.models = models;
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return "detect";
  }

  /**
   * Fetches and verifies the models, then starts the workers.
   *
   * @throws InferenceException when a model is missing or does not load
   */
  @Override
  protected Workers startWorkers() throws InferenceException {
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
    return new Workers("detect", cfg.workers(), i -> {
      String worker = ctx.host() + "/detect-" + ProcessHandle.current().pid() + "-" + i;
      FrameAnalyzer analyzer = openAnalyzer(cfg, models, options, worker, ctx);
      return new ConsumerLoop<>(Topics.FRAMES_DETECT, new PollHandler(analyzer),
          LoopOptions.inline("detect", worker,
          cfg.kafka().consumer(cfg.group(), worker, true), cfg.kafka().producer(worker, false),
          ctx.meters()), analyzer);
    }, ctx.onWorkerDeath());
  }

  /**
   * Analyses a poll's frames together ({@link FrameAnalyzer#analyzeAll}), so that their faces
   * share classifier batches, then publishes each frame's analysis as its record is handled. A
   * record without a video id or with a malformed layout is left out of the batch and
   * dead-lettered when handled.
   */
  private static final class PollHandler implements ConsumerLoop.BatchHandler<String, FrameRecord> {
    private final FrameAnalyzer analyzer;
    private final Map<Input<String, FrameRecord>, FrameAnalysis> ready = new IdentityHashMap<>();

    PollHandler(FrameAnalyzer analyzer) {
      this.analyzer = analyzer;
    }

    @Override
    public void prepare(List<Input<String, FrameRecord>> batch) {
      ready.clear();
      List<Input<String, FrameRecord>> valid = new ArrayList<>(batch.size());
      for (Input<String, FrameRecord> in : batch) {
        try {
          check(in.value());
          valid.add(in);
        } catch (IllegalArgumentException e) {
          // refused again, with the reason, when handled
        }
      }
      List<FrameAnalysis> results =
          analyzer.analyzeAll(valid.stream().map(Input::value).toList());
      for (int i = 0; i < valid.size(); i++) {
        ready.put(valid.get(i), results.get(i));
      }
    }

    @Override
    public void handle(Input<String, FrameRecord> in, Output out) {
      FrameRecord frame = in.value();
      FrameAnalysis analysis = ready.remove(in);
      if (analysis == null) {
        check(frame); // a malformed record is dead-lettered, not analysed
        analysis = analyzer.analyze(frame);
      }
      out.send(Topics.DETECTIONS, frame.getVideoId(), analysis);
    }

    private static void check(FrameRecord frame) {
      if (frame.getVideoId().isEmpty()) {
        throw new IllegalArgumentException("frame record without a video id");
      }
      FrameImages.check(frame);
    }
  }

  private static InferenceBackend metered(String id, ModelStore models, BackendOptions options,
      StageContext ctx) throws InferenceException {
    return new MeteredBackend(id, models.open(id, options), ctx.meters());
  }

  private static FrameAnalyzer openAnalyzer(DetectConfig cfg, ModelStore models,
      BackendOptions options, String worker, StageContext ctx) {
    try {
      BlazeFaceDetector det = new BlazeFaceDetector(models.manifest(cfg.detectorModel()),
          metered(cfg.detectorModel(), models, options, ctx), cfg.minFaceScore());
      Optional<ClassifierRoute> route = Optional.empty();
      if (cfg.classifierModel().isPresent()) {
        String id = cfg.classifierModel().get();
        DeepfakeClassifier clean = DeepfakeClassifier.of(models.manifest(id),
            metered(id, models, options, ctx));
        Optional<DeepfakeClassifier> compressed = Optional.empty();
        if (cfg.compressedClassifierModel().isPresent()) {
          String cid = cfg.compressedClassifierModel().get();
          compressed = Optional.of(DeepfakeClassifier.of(models.manifest(cid),
              metered(cid, models, options, ctx)));
        }
        route = Optional.of(new ClassifierRoute(clean, compressed, cfg.routeQp()));
      }
      return new FrameAnalyzer(det, route, worker);
    } catch (InferenceException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
