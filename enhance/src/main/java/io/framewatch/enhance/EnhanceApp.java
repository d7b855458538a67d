package io.framewatch.enhance;

import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.topic.ConsumerLoop;
import io.framewatch.topic.FailurePolicy;
import io.framewatch.topic.Topics;
import io.framewatch.topic.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enhance stage: consumes bursts from {@code frames.enhance}, super-resolves each burst's
 * reference frame with the configured model ({@code FRAMEWATCH_SR_MODEL}, default burstnc-x3)
 * and publishes it to {@code frames.enhanced}. A burst the model cannot take goes to the dead
 * letters with the reason; so does every burst when the model is set to "none".
 */
public final class EnhanceApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EnhanceApp.class);

  private final Workers workers;

  private EnhanceApp(Workers workers) {
    this.workers = workers;
  }

  /**
   * Fetches and verifies the model, then starts the workers.
   *
   * @throws InferenceException when the model is missing or is not an SR model
   */
  public static EnhanceApp start(EnhanceConfig cfg, ModelStore models) throws InferenceException {
    if (cfg.model().isEmpty()) {
      LOG.info("enhance: no super-resolution model (FRAMEWATCH_SR_MODEL=none); bursts go to {}"
          + " with the reason", Topics.DEAD_LETTERS.name());
      return new EnhanceApp(new Workers("enhance", cfg.workers(), i -> loop(cfg, i,
          (record, out) -> {
            Burst burst = Topics.FRAMES_ENHANCE.value(record.value());
            throw new IllegalStateException("no super-resolution model configured"
                + " (FRAMEWATCH_SR_MODEL=none); burst " + burst.getBurstIndex() + " of video "
                + burst.getVideoId() + " not enhanced");
          }, null)));
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
    return new EnhanceApp(new Workers("enhance", cfg.workers(), i -> {
      SuperResolver sr;
      try {
        sr = new SuperResolver(id, models.open(id, options), frames);
      } catch (InferenceException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return loop(cfg, i, (record, out) -> {
        Burst burst = Topics.FRAMES_ENHANCE.value(record.value());
        if (burst == null || burst.getVideoId().isEmpty()) {
          throw new IllegalArgumentException("burst record without a video id");
        }
        EnhancedFrame frame = sr.enhance(burst);
        out.send(Topics.FRAMES_ENHANCED.record(
            burst.getVideoId() + "/" + burst.getBurstIndex(), frame));
      }, sr);
    }));
  }

  private static ConsumerLoop loop(EnhanceConfig cfg, int i, ConsumerLoop.Handler handler,
      AutoCloseable resource) {
    return new ConsumerLoop("enhance", Topics.FRAMES_ENHANCE.name(),
        cfg.kafka().consumer(cfg.group(), "enhance-" + i, true),
        cfg.kafka().producer("enhance-" + i, true), handler, FailurePolicy.DEAD_LETTER, resource);
  }

  @Override
  public void close() {
    workers.close();
  }
}
