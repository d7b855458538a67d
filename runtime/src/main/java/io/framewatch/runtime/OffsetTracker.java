package io.framewatch.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which job offsets may be committed when jobs finish out of order: per partition, up to (not
 * including) the oldest job still running. Thread-safe: jobs finish on executor threads, commits
 * happen on the polling thread.
 */
final class OffsetTracker {
  private final Map<TopicPartition, TreeMap<Long, Boolean>> inFlight = new HashMap<>();

  synchronized void started(TopicPartition tp, long offset) {
    inFlight.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, false);
  }

  synchronized void finished(TopicPartition tp, long offset) {
    TreeMap<Long, Boolean> m = inFlight.get(tp);
    if (m != null && m.containsKey(offset)) {
      m.put(offset, true);
    }
  }

  /** Jobs started and not yet finished. */
  synchronized int running() {
    int n = 0;
    for (TreeMap<Long, Boolean> m : inFlight.values()) {
      for (boolean done : m.values()) {
        n += done ? 0 : 1;
      }
    }
    return n;
  }

  /**
   * Offsets to commit now (the next offset to read per partition), removing the finished prefix.
   */
  synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (var e : inFlight.entrySet()) {
      TreeMap<Long, Boolean> m = e.getValue();
      Long last = null;
      while (!m.isEmpty() && m.firstEntry().getValue()) {
        last = m.pollFirstEntry().getKey();
      }
      if (last != null) {
        out.put(e.getKey(), new OffsetAndMetadata(last + 1));
      }
    }
    return out;
  }

  /** Offset of the oldest job of {@code tp} still running, or -1 when none is. */
  synchronized long oldestRunning(TopicPartition tp) {
    TreeMap<Long, Boolean> m = inFlight.get(tp);
    if (m == null) {
      return -1;
    }
    for (var e : m.entrySet()) {
      if (!e.getValue()) {
        return e.getKey();
      }
    }
    return -1;
  }

  /** Forgets partitions this worker no longer owns. */
  synchronized void revoke(java.util.Collection<TopicPartition> parts) {
    parts.forEach(inFlight::remove);
  }
}
