package io.framewatch.decode;

import io.framewatch.proto.Burst;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;

/** Where a decode job's results go (Kafka in the stage, a list in tests). */
public interface DecodeOutput {
  /** Publishes a video event. */
  void event(VideoEvent event);

  /** Publishes a sampled frame. */
  void frame(FrameRecord frame);

  /** Publishes a burst of consecutive frames for super-resolution. */
  void burst(Burst burst);

  /**
   * Blocks until everything published so far is acknowledged.
   *
   * @throws Exception when any publication failed
   */
  void flush() throws Exception;
}
