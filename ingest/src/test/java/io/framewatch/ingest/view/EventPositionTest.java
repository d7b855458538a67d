package io.framewatch.ingest.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventPositionTest {
  private static ViewEvent verdict(int partition, long offset) {
    return new ViewEvent(ViewEvent.Kind.VERDICT, partition, offset, Verdict.getDefaultInstance());
  }

  private static ViewEvent alert(int partition, long offset) {
    return new ViewEvent(ViewEvent.Kind.ALERT, partition, offset, Verdict.getDefaultInstance());
  }

  @Test
  void shouldWriteAndReadThePositionAfterEachPartitionsLastEvent() {
    EventPosition p = EventPosition.START.after(verdict(2, 11)).after(alert(0, 4))
        .after(verdict(0, 3));
    assertEquals("v4.0.12_a5", p.encode());
    EventPosition back = EventPosition.parse(p.encode());
    assertEquals(p.encode(), back.encode());
    assertTrue(back.covers(verdict(2, 11)));
    assertFalse(back.covers(verdict(2, 12)));
    assertFalse(back.covers(verdict(5, 0)), "a partition it never saw");
    assertSame(back, back.after(verdict(0, 1)), "an event it covers does not move it");
    assertEquals("v_a", EventPosition.START.encode());
    assertEquals("v_a", EventPosition.parse("v_a").encode());
  }

  @Test
  void shouldRefuseIdsItDoesNotWrite() {
    for (String bad : List.of("", "42", "v1.2", "a1_v2", "v1.x_a", "v-1_a", "v1..2_a", "v_a_b")) {
      assertThrows(IllegalArgumentException.class, () -> EventPosition.parse(bad), bad);
    }
  }

  @Test
  void shouldReplayOnlyWhatAClientMissedAndSayWhenSomeOfItWasDropped() {
    EventLog log = new EventLog(3);
    log.append(verdict(0, 0));
    log.append(alert(1, 0));
    EventPosition client = log.head();
    log.append(verdict(0, 1));
    log.append(verdict(1, 0));

    EventLog.Replay r = log.since(client);
    assertEquals(List.of(verdict(0, 1), verdict(1, 0)), r.events());
    assertTrue(r.complete(), "only verdict 0@0 was dropped and the client had it");

    log.append(alert(1, 1)); // drops alert 1@0, which the client had
    log.append(alert(0, 0)); // drops verdict 0@1, which it had not
    r = log.since(client);
    assertFalse(r.complete());
    assertEquals(List.of(verdict(1, 0), alert(1, 1), alert(0, 0)), r.events());
    assertTrue(log.since(log.head()).events().isEmpty());
    assertTrue(log.since(EventPosition.parse("v9.9_a9.9")).events().isEmpty(),
        "a client further along than this replica has seen everything it retains");
  }
}
