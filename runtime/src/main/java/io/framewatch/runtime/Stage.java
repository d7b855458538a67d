package io.framewatch.runtime;

/**
 * One stage of the pipeline in this process (ingest, decode, detect, enhance or sink): the CLI,
 * the embedded stack and the tests start, watch and stop every stage the same way.
 */
public interface Stage extends AutoCloseable {
  /** The stage's name, as in {@code framewatch run STAGE}. */
  String name();

  /**
   * Starts the stage's workers; returns once they run.
   *
   * @throws Exception when the stage cannot start (bad model, port taken, ...)
   */
  void start() throws Exception;

  /** Current health; cheap, called by {@code /health/*} probes. */
  Health health();

  /** Stops the workers: work in progress is left uncommitted, for another worker to redo. */
  @Override
  void close();
}
