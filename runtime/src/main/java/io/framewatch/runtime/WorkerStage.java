package io.framewatch.runtime;

import java.util.Map;

/**
 * A stage whose work is a set of {@link ConsumerLoop}s: health is theirs, closing stops them.
 * Subclasses load what the workers need and start them in {@link #startWorkers()}.
 */
public abstract class WorkerStage implements Stage {
  private volatile Workers workers;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Loads models and starts the workers.
   *
   * @return the running workers
   * @throws Exception when the stage cannot start
   */
  protected abstract Workers startWorkers() throws Exception;

  /** Resources the stage holds beside its workers, closed after them; none by default. */
  protected void closeResources() { }

  @Override
  public final void start() throws Exception {
    workers = startWorkers();
  }

  @Override
  public Health health() {
    Workers w = workers;
    return w == null ? new Health(true, false, Map.of(name(), "starting")) : w.health();
  }

  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Workers w = workers;
    if (w != null) {
      w.close();
    }
    closeResources();
  }
}
