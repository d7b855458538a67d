package io.framewatch.ingest.view;

import java.util.Arrays;

/**
 * A position in the event stream that means the same on every API replica: for each partition of
 * {@code verdicts} and {@code alerts}, the offset of the next record not yet delivered. It is the
 * SSE event id, so a client that reconnects (to any replica) with {@code Last-Event-ID} gets
 * exactly the retained events it has not seen: no replica-local counter is involved, and a
 * replica that has read less than the client saw skips what the client already has.
 *
 * <p>Written as {@code v<o0>.<o1>…_a<o0>.<o1>…}, e.g. {@code v0.12.3.0.9.1_a0.0.2.0.0.1}.
 * Immutable.
 */
public final class EventPosition {
  /** Before every record: a client at this position is missing everything retained. */
  public static final EventPosition START = new EventPosition(new long[0], new long[0]);
  /** The letter of each topic in the id: verdicts (verdict and deleted events), then alerts. */
  private static final char[] TAGS = {'v', 'a'};

  private final long[][] next;

  private EventPosition(long[] verdicts, long[] alerts) {
    this.next = new long[][] {verdicts, alerts};
  }

  /** Whether the event lies before this position (a client here has had it). */
  public boolean covers(ViewEvent e) {
    return e.offset() < next(e.kind().slot(), e.partition());
  }

  /** The position just after {@code e}; this one when it already covers it. */
  public EventPosition after(ViewEvent e) {
    if (covers(e)) {
      return this;
    }
    long[][] copy = {next[0], next[1]};
    int k = e.kind().slot();
    copy[k] = Arrays.copyOf(next[k], Math.max(next[k].length, e.partition() + 1));
    copy[k][e.partition()] = e.offset() + 1;
    return new EventPosition(copy[0], copy[1]);
  }

  /** The next undelivered offset of one partition (0 when this position has not seen it). */
  public long next(ViewEvent.Kind kind, int partition) {
    return next(kind.slot(), partition);
  }

  private long next(int slot, int partition) {
    long[] n = next[slot];
    return partition < n.length ? n[partition] : 0;
  }

  /** Whether this position is at or after {@code other} in every partition. */
  public boolean atOrAfter(EventPosition other) {
    for (int k = 0; k < TAGS.length; k++) {
      long[] theirs = other.next[k];
      for (int p = 0; p < theirs.length; p++) {
        if (next(k, p) < theirs[p]) {
          return false;
        }
      }
    }
    return true;
  }

  /** The id form, e.g. {@code v0.12.3_a0.0.2}. */
  public String encode() {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < TAGS.length; k++) {
      if (k > 0) {
        b.append('_');
      }
      b.append(TAGS[k]);
      long[] n = next[k];
      for (int p = 0; p < n.length; p++) {
        b.append(p == 0 ? "" : ".").append(n[p]);
      }
    }
    return b.toString();
  }

  /**
   * Reads an id written by {@link #encode()}.
   *
   * @throws IllegalArgumentException when {@code id} is not one
   */
  public static EventPosition parse(String id) {
    String[] parts = id.strip().split("_", -1);
    if (parts.length != TAGS.length) {
      throw new IllegalArgumentException("not an event id: '" + id + "'");
    }
    long[][] n = new long[TAGS.length][];
    for (int k = 0; k < TAGS.length; k++) {
      String part = parts[k];
      if (part.isEmpty() || part.charAt(0) != TAGS[k]) {
        throw new IllegalArgumentException("not an event id: '" + id + "'");
      }
      String body = part.substring(1);
      n[k] = body.isEmpty() ? new long[0]
          : Arrays.stream(body.split("\\.", -1)).mapToLong(o -> offset(o, id)).toArray();
    }
    return new EventPosition(n[0], n[1]);
  }

  private static long offset(String o, String id) {
    try {
      long v = Long.parseLong(o);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an event id: '" + id + "'", e);
    }
  }

  @Override
  public String toString() {
    return encode();
  }
}
