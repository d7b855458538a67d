package io.framewatch.tests;

import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.util.List;
import java.util.Optional;

/** Reads a video's events back from {@code video.events}, for the live tests. */
public final class VideoEventLog {
  private VideoEventLog() {}

  /** Every event of {@code videoId} on {@code video.events} so far, in order. */
  public static List<VideoEvent> events(KafkaSettings kafka, String videoId) {
    return Records.of(kafka, Topics.VIDEO_EVENTS, videoId).stream().map(Records.Timed::value)
        .toList();
  }

  /** The worker that opened the stream last (its latest Probe). */
  public static String owner(KafkaSettings kafka, String videoId) {
    List<VideoEvent> probes = events(kafka, videoId).stream().filter(VideoEvent::hasProbe)
        .toList();
    return probes.get(probes.size() - 1).getWorker();
  }

  /** The RESUMED event of a takeover from {@code previous}. */
  public static Optional<VideoEvent> resumed(KafkaSettings kafka, String videoId,
      String previous) {
    return events(kafka, videoId).stream().filter(VideoEvent::hasStream)
        .filter(e -> e.getStream().getKind() == StreamEvent.Kind.RESUMED
            && e.getStream().getPreviousWorker().equals(previous)).findFirst();
  }
}
