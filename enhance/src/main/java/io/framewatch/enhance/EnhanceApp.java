package io.framewatch.enhance;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.MeteredBackend;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.runtime.ConsumerLoop;
import io.framewatch.runtime.LoopOptions;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.WorkerStage;
import io.framewatch.runtime.Workers;
import io.framewatch.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enhance stage: consumes bursts from {@code frames.enhance}, super-resolves each burst's
 * reference frame with the configured model ({@code FRAMEWATCH_SR_MODEL}, default burstnc-x3)
 * and publishes it to {@code frames.enhanced}. An evidence burst (cut by decode's evidence server
 * around a flagged face, {@link Burst#getEvidence()}) is also written as a lossless PNG into the
 * video's evidence directory and reported on {@code video.events} ({@link EnhancedEvidence}). A
 * burst the model cannot take goes to the dead letters with the reason, and when it is an
 * evidence burst the sink is told that reason too; with the model set to "none" every burst goes
 * to the dead letters, and evidence bursts are answered with that reason instead.
 */
public final class EnhanceApp extends WorkerStage {
  private static final Logger LOG = LoggerFactory.getLogger(EnhanceApp.class);

  private final EnhanceConfig cfg;
  private final ModelStore models;
  private final StageContext ctx;

  /**
   * @param cfg stage settings
   * @param models where models are fetched and verified
   * @param ctx the process's meters and worker-death policy
   */
  public EnhanceApp(EnhanceConfig cfg, ModelStore models, StageContext ctx) {
    this.cfg = cfg;
    this.models = models;
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return "enhance";
  }

  /**
   * Fetches and verifies the model, then starts the workers.
   *
   * @throws InferenceException when the model is missing or is not an SR model
   */
  @Override
  protected Workers startWorkers() throws InferenceException {
    if (cfg.model().isEmpty()) {
      LOG.info("enhance: no super-resolution model (FRAMEWATCH_SR_MODEL=none); bursts go to {}"
          + " with the reason", Topics.DEAD_LETTERS.name());
      return new Workers("enhance", cfg.workers(), i -> loop(i, (in, out) -> {
        Burst burst = in.value();
        if (burst.hasEvidence()) {
          // the sink waits for an answer about evidence it named: say why there is none
          out.send(Topics.VIDEO_EVENTS, burst.getVideoId(), EnhancedEvidence.unavailable(burst,
              "enhance: no super-resolution model configured (FRAMEWATCH_SR_MODEL=none)")
              .toBuilder().setWorker(worker(i)).build());
          return;
        }
        throw new IllegalStateException("no super-resolution model configured"
            + " (FRAMEWATCH_SR_MODEL=none); burst " + burst.getBurstIndex() + " of video "
            + burst.getVideoId() + " not enhanced");
      }, null), ctx.onWorkerDeath());
    }
    String id = cfg.model().get();
    ModelManifest m = models.manifest(id);
    long[] shape = m.inputs().get(0).shape();
    if (m.inputs().size() != 1 || (shape.length != 4 && shape.length != 5)
        || shape[shape.length - 3] != 3) {
      throw new InferenceException("model " + id + " is not a super-resolution model: enhance"
          + " needs one input [N, 3, H, W] or [N, K, 3, H, W]");
    }
    int frames = shape.length == 5 ? (int) shape[1] : 1;
    models.resolve(m);
    BackendOptions options = BackendOptions.defaults(models.cacheDir())
        .withDevice(cfg.device()).withThreads(cfg.intraOpThreads(), 1);
    LOG.info("enhance: {} ({} frame(s) per burst)", id, frames);
    return new Workers("enhance", cfg.workers(), i -> {
      SuperResolver sr;
      try {
        sr = new SuperResolver(id, new MeteredBackend(id, models.open(id, options),
            ctx.meters()), frames);
      } catch (InferenceException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return loop(i, (in, out) -> {
        Burst burst = in.value();
        if (burst.getVideoId().isEmpty()) {
          throw new IllegalArgumentException("burst record without a video id");
        }
        EnhancedFrame e;
        try {
          e = sr.enhance(burst);
        } catch (InferenceException | RuntimeException ex) {
          if (burst.hasEvidence()) {
            // the sink waits for an answer about evidence it named: say why there is none;
            // the burst itself is dead-lettered with the same cause
            out.send(Topics.VIDEO_EVENTS, burst.getVideoId(), EnhancedEvidence.unavailable(burst,
                "enhance: " + ex.getMessage()).toBuilder().setWorker(worker(i)).build());
          }
          throw ex;
        }
        if (burst.hasEvidence()) {
          e = e.toBuilder().setEvidence(burst.getEvidence()).build();
          out.send(Topics.FRAMES_ENHANCED, in.key(), e);
          EnhancedEvidence.write(cfg.files(), e).ifPresent(
              ev -> out.send(Topics.VIDEO_EVENTS, ev.getVideoId(), ev.toBuilder()
                  .setWorker(worker(i)).build()));
          return;
        }
        out.send(Topics.FRAMES_ENHANCED, Topics.frameKey(burst.getVideoId(),
            burst.getBurstIndex()), e);
      }, sr);
    }, ctx.onWorkerDeath());
  }

  private String worker(int i) {
    return ctx.host() + "/enhance-" + ProcessHandle.current().pid() + "-" + i;
  }

  private ConsumerLoop<String, Burst> loop(int i, ConsumerLoop.Handler<String, Burst> handler,
      AutoCloseable resource) {
    String worker = worker(i);
    return new ConsumerLoop<>(Topics.FRAMES_ENHANCE, handler, LoopOptions.inline(
        "enhance", worker, cfg.kafka().consumer(cfg.group(), worker, true),
        cfg.kafka().producer(worker, true), ctx.meters()), resource);
  }
}
