package io.framewatch.enhance;

import io.framewatch.proto.Burst;
import io.framewatch.topic.ConsumerLoop;
import io.framewatch.topic.FailurePolicy;
import io.framewatch.topic.Topics;
import io.framewatch.topic.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enhance stage: consumes bursts from {@code frames.enhance}. No super-resolution model ships
 * yet (they are trained in models/, see docs/ARCHITECTURE.md), so every burst is dead-lettered
 * with that reason rather than passed on unenhanced or silently dropped.
 */
public final class EnhanceApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EnhanceApp.class);

  private final Workers workers;

  private EnhanceApp(Workers workers) {
    this.workers = workers;
  }

  /** Starts the workers. */
  public static EnhanceApp start(EnhanceConfig cfg) {
    if (cfg.model().isPresent()) {
      throw new IllegalArgumentException("super-resolution model '" + cfg.model().get()
          + "' cannot be served yet: the enhance stage has no SR runtime in this version");
    }
    LOG.info("enhance: no super-resolution model installed; bursts go to {} with the reason",
        Topics.DEAD_LETTERS.name());
    Workers w = new Workers("enhance", cfg.workers(), i -> new ConsumerLoop("enhance",
        Topics.FRAMES_ENHANCE.name(), cfg.kafka().consumer(cfg.group(), "enhance-" + i, true),
        cfg.kafka().producer("enhance-" + i, true),
        (record, out) -> {
          Burst burst = Topics.FRAMES_ENHANCE.value(record.value());
          throw new IllegalStateException("no super-resolution model installed; burst "
              + burst.getBurstIndex() + " of video " + burst.getVideoId() + " not enhanced");
        }, FailurePolicy.DEAD_LETTER, null));
    return new EnhanceApp(w);
  }

  @Override
  public void close() {
    workers.close();
  }
}
