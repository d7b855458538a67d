package io.framewatch.runtime;

/**
 * Thrown by a handler that stopped because its work was cancelled (shutdown or a rebalance took
 * the partition away). The input is neither committed nor dead-lettered: another worker redoes it.
 */
public final class CancelledWork extends RuntimeException {
  /** @param message what was cut short */
  public CancelledWork(String message) {
    super(message);
  }
}
