package io.framewatch.ingest.view;

import io.framewatch.proto.Alert;
import io.framewatch.proto.Verdict;
import java.util.List;

/**
 * What the view knows of one video: its latest verdict, its alert transitions in the order the
 * sink emitted them, and its score timeline per face track.
 *
 * @param verdict the latest verdict
 * @param alerts the video's retained alert transitions, oldest first
 * @param tracks the retained timeline, by track id
 */
public record VideoDetail(Verdict verdict, List<Alert> alerts, List<Track> tracks) {
  /** Copies the lists. */
  public VideoDetail {
    alerts = List.copyOf(alerts);
    tracks = List.copyOf(tracks);
  }

  /**
   * One face track's points, in media-time order.
   *
   * @param id the track id (as in the verdict's tracks)
   * @param points one per sample the face was linked in
   */
  public record Track(int id, List<Point> points) {
    /** Copies the points. */
    public Track {
      points = List.copyOf(points);
    }
  }

  /**
   * One face's score at one sample.
   *
   * @param sampleIndex the sample
   * @param ptsUs its media time
   * @param pFake P(fake) of the face, NaN when no classifier judged it
   */
  public record Point(long sampleIndex, long ptsUs, float pFake) {}
}
