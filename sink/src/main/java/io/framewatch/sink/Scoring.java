package io.framewatch.sink;

import java.util.List;

/**
 * How the sink turns faces into a video score: the face tracker and which score decisions use
 * ({@code mean}: CADDM's video score, the mean of every face; {@code track-max}: the highest mean
 * of a track with at least three scored faces, so one forged face among real ones is not averaged
 * away; {@code p90}: the 90th percentile of every face). All three are reported.
 *
 * @param tracker links faces into tracks
 * @param policy {@code mean}, {@code track-max} or {@code p90}
 */
public record Scoring(FaceTracker tracker, String policy) {
  /** The policies. */
  public static final List<String> POLICIES = List.of("mean", "track-max", "p90");
  /**
   * Tracks close after 4 samples without their face (2 s at the default 2 samples/s); 64
   * analyses wait to be linked in order (a detect worker reads a video's six partitions a batch
   * at a time, so they arrive tens of samples out of order).
   */
  public static final Scoring DEFAULT = new Scoring(new FaceTracker(4, 64), "track-max");

  /** Validates the policy. */
  public Scoring {
    if (!POLICIES.contains(policy)) {
      throw new IllegalArgumentException("score policy must be one of " + POLICIES + ", got '"
          + policy + "'");
    }
  }
}
