package io.framewatch.decode;

import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a decode process shows on {@code /metrics}, read off the records its jobs publish: frames
 * decoded and sampled (their rates are the decode fps), jobs by outcome, and its live streams by
 * state (running, or down and reconnecting).
 */
final class DecodeMeters {
  private final Counter decoded;
  private final Counter sampled;
  private final Counter finished;
  private final Counter failed;
  private final Map<String, String> live = new ConcurrentHashMap<>();

  DecodeMeters(MeterRegistry registry) {
    decoded = Counter.builder("framewatch.decode.frames").description("frames decoded")
        .register(registry);
    sampled = Counter.builder("framewatch.decode.samples")
        .description("frames sampled and published for analysis").register(registry);
    finished = Counter.builder("framewatch.decode.jobs").description("decode jobs ended")
        .tag("outcome", "finished").register(registry);
    failed = Counter.builder("framewatch.decode.jobs").description("decode jobs ended")
        .tag("outcome", "failed").register(registry);
    for (String state : new String[] {"running", "down"}) {
      Gauge.builder("framewatch.live.streams", live,
          m -> m.values().stream().filter(state::equals).count())
          .description("live streams this process runs, by state").tag("state", state)
          .register(registry);
    }
  }

  /** Counts of one job's records; one per job. */
  final class Job {
    private long lastDecoded;

    void sampled() {
      sampled.increment();
    }

    void event(VideoEvent e) {
      long now = -1;
      if (e.hasProgress()) {
        now = e.getProgress().getFramesDecoded();
      } else if (e.hasEnd()) {
        now = e.getEnd().getFramesDecoded();
        finished.increment();
        live.remove(e.getVideoId());
      } else if (e.hasFailure()) {
        failed.increment();
        live.remove(e.getVideoId());
      } else if (e.hasStream()) {
        live.put(e.getVideoId(),
            e.getStream().getKind() == StreamEvent.Kind.DROPPED ? "down" : "running");
      }
      if (now > lastDecoded) {
        decoded.increment(now - lastDecoded);
        lastDecoded = now;
      }
    }

    /** A live stream started (or was taken over) here. */
    void live(String videoId) {
      live.putIfAbsent(videoId, "running");
    }

    /** The job left this process without an end (cancelled, or its publishing failed). */
    void gone(String videoId) {
      live.remove(videoId);
    }
  }
}
