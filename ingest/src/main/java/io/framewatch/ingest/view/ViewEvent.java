package io.framewatch.ingest.view;

import com.google.protobuf.Message;
import io.framewatch.proto.Alert;
import io.framewatch.proto.Verdict;

/**
 * One event of the event stream: a verdict or an alert record, with where it sits in its topic.
 *
 * @param kind verdict or alert
 * @param partition the record's partition of {@code verdicts} or {@code alerts}
 * @param offset the record's offset
 * @param payload the {@link Verdict} or {@link Alert}
 */
public record ViewEvent(Kind kind, int partition, long offset, Message payload) {

  /** What an event carries, and the topic it comes from. */
  public enum Kind {
    /** A verdict update, from {@code verdicts}. */
    VERDICT("verdict", 'v'),
    /** An alert transition, from {@code alerts}. */
    ALERT("alert", 'a');

    private final String eventName;
    private final char tag;

    Kind(String eventName, char tag) {
      this.eventName = eventName;
      this.tag = tag;
    }

    /** The SSE {@code event:} name. */
    public String eventName() {
      return eventName;
    }

    /** The letter that names this kind's topic in an event id. */
    char tag() {
      return tag;
    }
  }
}
