package io.framewatch.ingest.view;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest verdict and alert events, in the order this replica read them, for resuming the
 * event stream. Bounded: the oldest event is dropped when the log is full, and the log remembers
 * up to where it dropped, so a resume can tell whether the client missed more than is retained.
 * Thread-safe: the view's reader appends, HTTP handlers read.
 */
public final class EventLog {
  private final int capacity;
  private final ArrayDeque<ViewEvent> events;
  private EventPosition head = EventPosition.START;
  private EventPosition dropped = EventPosition.START;

  /** @param capacity events kept */
  EventLog(int capacity) {
    this.capacity = capacity;
    this.events = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /** What a client resuming from a position gets. */
  public record Replay(List<ViewEvent> events, boolean complete, EventPosition head) {
    /** Copies the events. */
    public Replay {
      events = List.copyOf(events);
    }
  }

  synchronized void append(ViewEvent e) {
    events.addLast(e);
    head = head.after(e);
    if (events.size() > capacity) {
      dropped = dropped.after(events.removeFirst());
    }
  }

  /**
   * Drops the retained events of a deleted video, so that no client resuming the stream is sent
   * its verdicts or alerts again. What was dropped is not counted as missed: it no longer exists.
   */
  synchronized void remove(String videoId) {
    events.removeIf(e -> e.videoId().equals(videoId));
  }

  /** The position after the newest event read (where a new client starts). */
  public synchronized EventPosition head() {
    return head;
  }

  /**
   * The retained events a client at {@code from} has not had, oldest first;
   * {@code complete} is false when events it had not had were already dropped.
   */
  public synchronized Replay since(EventPosition from) {
    List<ViewEvent> out = new ArrayList<>();
    for (ViewEvent e : events) {
      if (!from.covers(e)) {
        out.add(e);
      }
    }
    return new Replay(out, from.atOrAfter(dropped), head);
  }

  /** Events retained now. */
  public synchronized int size() {
    return events.size();
  }
}
