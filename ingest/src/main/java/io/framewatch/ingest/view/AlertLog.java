package io.framewatch.ingest.view;

import io.framewatch.proto.Alert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The newest alert transitions of every video, ordered by the sink's emission time
 * ({@code at_ms}, then alert id and sequence, so every replica orders them alike), for
 * {@code GET /v1/alerts}. Bounded: the oldest transition is dropped when full. One thread adds;
 * any thread reads.
 */
final class AlertLog {
  private record Key(long atMs, String alertId, int sequence) {}

  private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::atMs)
      .thenComparing(Key::alertId).thenComparingInt(Key::sequence);

  private final int capacity;
  private final ConcurrentSkipListMap<Key, Alert> alerts = new ConcurrentSkipListMap<>(ORDER);
  /** Written only by the adding thread; the skip list's own size() walks the whole list. */
  private volatile int size;

  AlertLog(int capacity) {
    this.capacity = capacity;
  }

  void add(Alert a) {
    if (alerts.put(new Key(a.getAtMs(), a.getAlertId(), a.getSequence()), a) == null) {
      size++;
    }
    while (size > capacity && alerts.pollFirstEntry() != null) {
      size--;
    }
  }

  /** Drops every transition of a deleted video (a walk over the log: deletions are rare). */
  void remove(String videoId) {
    var it = alerts.values().iterator();
    while (it.hasNext()) {
      if (it.next().getVideoId().equals(videoId)) {
        it.remove();
        size--;
      }
    }
  }

  /**
   * The newest {@code limit} transitions emitted at or after {@code sinceMs} that {@code keep}
   * accepts, oldest first.
   */
  List<Alert> recent(long sinceMs, int limit, java.util.function.Predicate<Alert> keep) {
    List<Alert> out = new ArrayList<>(Math.min(limit, 64));
    for (Map.Entry<Key, Alert> e : alerts.descendingMap().entrySet()) {
      if (out.size() == limit || e.getKey().atMs() < sinceMs) {
        break;
      }
      if (keep.test(e.getValue())) {
        out.add(e.getValue());
      }
    }
    Collections.reverse(out);
    return out;
  }
}
