package io.framewatch.decode;

import io.framewatch.proto.SamplingPolicy;

/**
 * Decides which decoded frames go to detection. With a rate of N per second it takes the first
 * frame whose timestamp falls in each 1/N-second slot of media time, so the count depends only on
 * the stream's timestamps, never on decode speed.
 */
public final class FrameSampler {
  /**
   * Default detection rate, 2 frames per second of media time (docs/ARCHITECTURE.md, decode): a
   * few frames per second is what detection needs.
   */
  public static final double DEFAULT_FPS = 2.0;

  private final double fps;
  private final boolean keyframesOnly;
  private final long maxFrames;
  private long lastSlot = Long.MIN_VALUE;
  private long taken;

  /** A sampler for one video under {@code policy}. */
  public FrameSampler(SamplingPolicy policy) {
    this.fps = policy.getFramesPerSecond() > 0 ? policy.getFramesPerSecond() : DEFAULT_FPS;
    this.keyframesOnly = policy.getKeyframesOnly();
    this.maxFrames = policy.getMaxFrames() > 0 ? policy.getMaxFrames() : Long.MAX_VALUE;
    if (!Double.isFinite(fps) || fps > 1000) {
      throw new IllegalArgumentException("sampling rate must be in (0, 1000] fps, got " + fps);
    }
  }

  /**
   * Whether to take this frame.
   *
   * @param ptsUs presentation time in microseconds
   * @param keyframe whether the frame is a keyframe
   */
  public boolean take(long ptsUs, boolean keyframe) {
    if (taken >= maxFrames) {
      return false;
    }
    boolean take;
    long slot = (long) Math.floor(Math.max(0, ptsUs) * fps / 1_000_000.0);
    if (keyframesOnly) {
      take = keyframe;
    } else {
      take = slot > lastSlot;
    }
    if (take) {
      lastSlot = slot;
    }
    if (take) {
      taken++;
    }
    return take;
  }

  /**
   * The 1/N-second time slot of the last frame taken: a live stream's sample index, which any
   * worker computes alike from the wall clock.
   */
  public long lastSlot() {
    return lastSlot;
  }

  /** Samples a stream of this duration should yield (an estimate until the stream ends). */
  public long estimate(long durationUs) {
    if (keyframesOnly || durationUs <= 0) {
      return 0;
    }
    return Math.min(maxFrames, (long) Math.ceil(durationUs * fps / 1_000_000.0));
  }
}
