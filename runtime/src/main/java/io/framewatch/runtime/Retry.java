package io.framewatch.runtime;

import java.time.Duration;

/**
 * How often a failed send is retried before its input goes to the dead letters: capped exponential
 * backoff ({@code initial}, doubling, at most {@code max}).
 *
 * @param attempts resends after the first failure (0: none)
 * @param initial wait before the first resend
 * @param max longest wait between resends
 */
public record Retry(int attempts, Duration initial, Duration max) {
  /** Three resends after 0.5, 1 and 2 s. */
  public static final Retry DEFAULT = new Retry(3, Duration.ofMillis(500), Duration.ofSeconds(5));

  /** Validates the policy. */
  public Retry {
    if (attempts < 0) {
      throw new IllegalArgumentException("retry attempts must be >= 0, got " + attempts);
    }
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("retry backoff must satisfy 0 <= initial <= max");
    }
  }

  /** Wait before resend {@code attempt} (1-based). */
  public Duration backoff(int attempt) {
    long ms = initial.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
