package io.framewatch.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;

/**
 * What the process gives each stage it runs: one meter registry (served on {@code /metrics}), what
 * to do when a worker dies, and the host name used in worker names.
 *
 * @param meters the process's meter registry
 * @param onWorkerDeath called when a worker thread dies of an error
 * @param host host name (HOSTNAME, else "local")
 */
public record StageContext(MeterRegistry meters, Runnable onWorkerDeath, String host) {
  /** Validates the context. */
  public StageContext {
    Objects.requireNonNull(meters);
    Objects.requireNonNull(onWorkerDeath);
    host = host == null || host.isBlank() ? "local" : host;
  }

  /** A context with its own registry, nothing done on worker death (tests, one-shot tools). */
  public static StageContext local() {
    return new StageContext(new SimpleMeterRegistry(), () -> { }, System.getenv("HOSTNAME"));
  }
}
