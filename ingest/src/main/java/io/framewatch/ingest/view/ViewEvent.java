package io.framewatch.ingest.view;

import com.google.protobuf.Message;
import io.framewatch.proto.Alert;
import io.framewatch.proto.Verdict;

/**
 * One event of the event stream: a verdict, a deletion or an alert record, with where it sits in
 * its topic.
 *
 * @param kind verdict, deleted or alert
 * @param partition the record's partition of {@code verdicts} or {@code alerts}
 * @param offset the record's offset
 * @param payload the {@link Verdict} or {@link Alert}; for a deletion (a tombstone on
 *     {@code verdicts}) a verdict holding only the video id and its tenant
 */
public record ViewEvent(Kind kind, int partition, long offset, Message payload) {

  /** What an event carries, and the topic it comes from. */
  public enum Kind {
    /** A verdict update, from {@code verdicts}. */
    VERDICT("verdict", 0),
    /** An alert transition, from {@code alerts}. */
    ALERT("alert", 1),
    /** The video was deleted: a tombstone on {@code verdicts}. */
    DELETED("deleted", 0);

    private final String eventName;
    private final int slot;

    Kind(String eventName, int slot) {
      this.eventName = eventName;
      this.slot = slot;
    }

    /** The SSE {@code event:} name. */
    public String eventName() {
      return eventName;
    }

    /** Which topic's offsets of an {@link EventPosition} this kind moves (0 verdicts, 1 alerts). */
    int slot() {
      return slot;
    }
  }

  /** The video the event is about. */
  public String videoId() {
    return payload instanceof Alert a ? a.getVideoId() : ((Verdict) payload).getVideoId();
  }
}
