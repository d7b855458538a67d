package io.framewatch.decode;

/**
 * The decode stage: one {@link DecodeWorker} per process, running up to
 * {@code FRAMEWATCH_DECODE_WORKERS} jobs at once. A worker that dies mid-job leaves the job to
 * another; the sink counts each sample index once.
 */
public final class DecodeApp implements AutoCloseable {
  private final DecodeWorker worker;

  private DecodeApp(DecodeWorker worker) {
    this.worker = worker;
  }

  /** Starts the worker. */
  public static DecodeApp start(DecodeConfig cfg) {
    String host = System.getenv().getOrDefault("HOSTNAME", "local");
    return new DecodeApp(new DecodeWorker(cfg, host + "/decode-" + ProcessHandle.current().pid()));
  }

  @Override
  public void close() {
    worker.close();
  }
}
