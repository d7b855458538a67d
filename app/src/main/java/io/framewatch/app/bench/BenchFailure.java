package io.framewatch.app.bench;

/** A failure of a benchmark itself (a child died, a limit passed), reported in one line. */
public final class BenchFailure extends Exception {
  BenchFailure(String message) {
    super(message);
  }
}
