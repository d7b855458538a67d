package io.framewatch.ingest.view;

import io.framewatch.runtime.Settings;
import java.util.Map;

/**
 * How much of each kind of record the read view keeps in memory. The latest verdict of every
 * video is always kept (as the compacted {@code verdicts} topic keeps it); these bound the rest.
 *
 * @param timelinePoints score points kept per video, the newest samples (older ones are dropped)
 * @param alertsPerVideo alert transitions kept per video, the newest
 * @param alertHistory alert transitions of all videos kept for {@code GET /v1/alerts}, the newest
 * @param eventHistory verdict and alert events kept for resuming the event stream
 */
public record ViewLimits(int timelinePoints, int alertsPerVideo, int alertHistory,
    int eventHistory) {

  /** Validates the limits. */
  public ViewLimits {
    if (timelinePoints < 1 || alertsPerVideo < 1 || alertHistory < 1 || eventHistory < 1) {
      throw new IllegalArgumentException("read view limits must be >= 1, got " + timelinePoints
          + " timeline points, " + alertsPerVideo + " alerts per video, " + alertHistory
          + " alerts, " + eventHistory + " events");
    }
  }

  /** Reads the limits of {@link Settings} from {@code env}. */
  public static ViewLimits fromEnv(Map<String, String> env) {
    return new ViewLimits(Settings.API_TIMELINE_POINTS.read(env),
        Settings.API_ALERTS_PER_VIDEO.read(env), Settings.API_ALERT_HISTORY.read(env),
        Settings.API_EVENT_HISTORY.read(env));
  }
}
