package io.framewatch.decode;

import io.framewatch.proto.VideoJob;
import java.util.Locale;

/**
 * Whether the decoder may leave frames undecoded that sampling would throw away
 * ({@link io.framewatch.runtime.Settings#DECODE_SKIP}). With {@link #AUTO}, a job sampled at a
 * quarter of the source's frame rate or less skips non-reference frames (FFmpeg's
 * {@code skip_frame=noref}: B-frames nothing else predicts from), and a keyframes-only job decodes
 * keyframes only ({@code nokey}); the first decoded frame of each sampling slot then serves it, so
 * a sample is at most a few frames later than in full decoding and keeps the source timestamp of
 * the frame actually used. Jobs with bursts need consecutive frames and are always decoded in full.
 */
public enum DecodeSkip {
  /** Skip where the sampling policy allows it. */
  AUTO,
  /** Decode every frame. */
  OFF;

  /** Sampling at most this share of the source's frame rate lets non-reference frames go. */
  static final double NONREF_SHARE = 0.25;

  /** Parses a setting value ({@code auto} or {@code off}, any case). */
  public static DecodeSkip parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("decode skip must be auto or off, got '" + value + "'");
    }
  }

  /**
   * The libavcodec {@code skip_frame} value for this job, or null to decode every frame.
   *
   * @param job the job (its sampling and burst policies)
   * @param sourceFps the source's frame rate; 0 when unknown
   */
  String skipFrame(VideoJob job, double sourceFps) {
    if (this == OFF || new BurstSampler(job.getBursts()).enabled()) {
      return null;
    }
    if (job.getDetectSampling().getKeyframesOnly()) {
      return "nokey";
    }
    double rate = job.getDetectSampling().getFramesPerSecond() > 0
        ? job.getDetectSampling().getFramesPerSecond() : FrameSampler.DEFAULT_FPS;
    return sourceFps > 0 && rate <= NONREF_SHARE * sourceFps ? "noref" : null;
  }
}
