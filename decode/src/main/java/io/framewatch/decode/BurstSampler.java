package io.framewatch.decode;

import io.framewatch.proto.BurstPolicy;

/**
 * Decides which frames form super-resolution bursts: K consecutive frames starting at the first
 * frame at or after each T-second mark of media time (T = 0: back-to-back bursts over every
 * frame). A burst cut short by the end of the stream is dropped, so every burst has K frames.
 */
final class BurstSampler {
  /** K when a burst policy gives none. */
  static final int DEFAULT_FRAMES = 5;

  private final int k;
  private final long everyUs;
  private final boolean enabled;
  private long nextStartUs;
  private int inBurst;

  BurstSampler(BurstPolicy p) {
    this.enabled = p.getFrames() > 0 || p.getEverySeconds() > 0;
    this.k = p.getFrames() > 0 ? p.getFrames() : DEFAULT_FRAMES;
    this.everyUs = Math.round(p.getEverySeconds() * 1e6);
    if (k > 64 || everyUs < 0) {
      throw new IllegalArgumentException("burst policy must have 1..64 frames and every_seconds"
          + " >= 0, got " + p.getFrames() + " / " + p.getEverySeconds());
    }
  }

  boolean enabled() {
    return enabled;
  }

  int frames() {
    return k;
  }

  /**
   * Whether the frame at {@code ptsUs} belongs to a burst; true for K consecutive frames from
   * each start.
   */
  boolean take(long ptsUs) {
    if (!enabled) {
      return false;
    }
    if (inBurst == 0) {
      if (ptsUs < nextStartUs) {
        return false;
      }
      nextStartUs = everyUs > 0 ? nextStartUs + everyUs * Math.max(1,
          (ptsUs - nextStartUs) / everyUs + 1) : ptsUs;
    }
    inBurst = (inBurst + 1) % k;
    return true;
  }
}
