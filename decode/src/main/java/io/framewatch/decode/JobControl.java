package io.framewatch.decode;

import io.framewatch.proto.FrameRecord;
import java.util.Optional;

/** What a running decode job learns from, and tells, the worker that runs it. */
public interface JobControl {
  /** A user asked to stop this live stream: it ends with STOPPED and EndOfVideo. */
  boolean stopRequested();

  /**
   * The worker is stopping or lost the job's partition: the job ends at once and publishes
   * nothing final, for the next owner to redo.
   */
  boolean cancelled();

  /** The worker that ran this live stream before, when this is a takeover. */
  default Optional<Takeover> takeover() {
    return Optional.empty();
  }

  /** Told the wall-clock time of every frame of a live stream (kept in the ownership record). */
  default void liveFrame(long wallMs) { }

  /** Told every sampled frame of a live stream, once published (its evidence is cut from it). */
  default void liveSample(FrameRecord frame) { }

  /**
   * A live stream's previous owner.
   *
   * @param worker its name
   * @param lastFrameMs wall-clock time of the last frame it recorded
   */
  record Takeover(String worker, long lastFrameMs) { }

  /** A job that is never stopped or cancelled. */
  static JobControl none() {
    return new JobControl() {
      @Override
      public boolean stopRequested() {
        return false;
      }

      @Override
      public boolean cancelled() {
        return false;
      }
    };
  }
}
