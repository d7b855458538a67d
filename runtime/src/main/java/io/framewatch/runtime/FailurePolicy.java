package io.framewatch.runtime;

/** What a stage does with a record it cannot process. */
public enum FailurePolicy {
  /** Stop the worker: for records whose loss would corrupt results. */
  FAIL,
  /** Log the cause and move on. */
  SKIP_AND_LOG,
  /** Publish the record to {@link Topics#DEAD_LETTERS} with the cause, then move on. */
  DEAD_LETTER
}
