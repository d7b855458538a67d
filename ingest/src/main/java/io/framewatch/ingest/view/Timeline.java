package io.framewatch.ingest.view;

import io.framewatch.proto.TimelinePoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One video's score points, one per (track, sample): a repeat of a point replaces it. Holds the
 * points of the newest samples up to a capacity; points arrive in any sample order. Not
 * thread-safe: {@link VideoState} guards it.
 */
final class Timeline {
  private record Key(long sample, int track) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparingLong(Key::sample).thenComparingInt(Key::track);

  private final int capacity;
  private final TreeMap<Key, VideoDetail.Point> points = new TreeMap<>(ORDER);

  Timeline(int capacity) {
    this.capacity = capacity;
  }

  void add(TimelinePoint p) {
    points.put(new Key(p.getSampleIndex(), p.getTrackId()), new VideoDetail.Point(
        p.getSampleIndex(), p.getPtsUs(), p.hasPFake() ? p.getPFake() : Float.NaN));
    while (points.size() > capacity) {
      points.pollFirstEntry();
    }
  }

  /** The points by track id, each track's in media-time order. */
  List<VideoDetail.Track> tracks() {
    Map<Integer, List<VideoDetail.Point>> byTrack = new TreeMap<>();
    for (Map.Entry<Key, VideoDetail.Point> e : points.entrySet()) {
      byTrack.computeIfAbsent(e.getKey().track(), t -> new ArrayList<>()).add(e.getValue());
    }
    List<VideoDetail.Track> out = new ArrayList<>(byTrack.size());
    byTrack.forEach((id, pts) -> {
      pts.sort(Comparator.comparingLong(VideoDetail.Point::ptsUs)
          .thenComparingLong(VideoDetail.Point::sampleIndex));
      out.add(new VideoDetail.Track(id, pts));
    });
    return out;
  }

  int size() {
    return points.size();
  }
}
