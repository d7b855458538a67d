package io.framewatch.decode;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The ownership records of the live streams one decode process runs, per partition of
 * {@code video.jobs}. They ride on the metadata of the partition's committed offset (which stays
 * at an unfinished live job), so whoever takes the partition over after a crash, a rolling
 * restart or a rebalance learns who ran each stream and when its last frame came: it publishes
 * {@code RESUMED} with the gap. Format: {@code fw-live:VIDEO|WORKER|LAST_FRAME_MS;...}.
 */
final class LiveOwnership {
  private static final String PREFIX = "fw-live:";
  /** Kafka's default offset.metadata.max.bytes is 4096: keep the newest streams that fit. */
  private static final int MAX_BYTES = 4000;

  private record Entry(String worker, long lastFrameMs) { }

  private final String worker;
  private final Map<Integer, Map<String, Entry>> byPartition = new ConcurrentHashMap<>();

  LiveOwnership(String worker) {
    this.worker = worker;
  }

  /** Records a frame of {@code videoId}, a live job of {@code partition}. */
  void frame(int partition, String videoId, long wallMs) {
    byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>())
        .put(videoId, new Entry(worker, wallMs));
  }

  /** The stream ended (stopped or failed): nobody has to resume it. */
  void ended(int partition, String videoId) {
    Map<String, Entry> m = byPartition.get(partition);
    if (m != null) {
      m.remove(videoId);
    }
  }

  /** The record to commit with this partition's offset, or null when it runs no live stream. */
  String metadata(int partition) {
    Map<String, Entry> m = byPartition.get(partition);
    if (m == null || m.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder(PREFIX);
    var newest = m.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastFrameMs())
            .reversed()).toList();
    for (var e : newest) {
      String item = e.getKey() + "|" + e.getValue().worker() + "|" + e.getValue().lastFrameMs()
          + ";";
      if (b.length() + item.length() > MAX_BYTES) {
        break;
      }
      b.append(item);
    }
    return b.toString();
  }

  /** The previous owner of {@code videoId} according to a committed record, if it names it. */
  static Optional<JobControl.Takeover> previousOwner(String metadata, String videoId) {
    return Optional.ofNullable(parse(metadata).get(videoId));
  }

  static Map<String, JobControl.Takeover> parse(String metadata) {
    Map<String, JobControl.Takeover> out = new HashMap<>();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return out;
    }
    for (String item : metadata.substring(PREFIX.length()).split(";")) {
      String[] f = item.split("\\|");
      if (f.length == 3) {
        try {
          out.put(f[0], new JobControl.Takeover(f[1], Long.parseLong(f[2])));
        } catch (NumberFormatException e) {
          // a damaged entry only costs the gap figure of that stream
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return byPartition.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().keySet())
        .collect(Collectors.joining(", "));
  }
}
