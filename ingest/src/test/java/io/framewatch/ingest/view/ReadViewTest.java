package io.framewatch.ingest.view;

import static io.framewatch.ingest.view.Records.alert;
import static io.framewatch.ingest.view.Records.point;
import static io.framewatch.ingest.view.Records.record;
import static io.framewatch.ingest.view.Records.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ReadViewTest {
  private final ReadView view = ReadView.detached(new ViewLimits(4, 3, 5, 10));

  private void verdicts(Verdict... vs) {
    List<ConsumerRecord<byte[], byte[]>> rs = new ArrayList<>();
    for (Verdict v : vs) {
      rs.add(record(Topics.VERDICTS, 0, rs.size(), v.getVideoId(), v));
    }
    view.apply(rs);
  }

  private static List<String> ids(VideoPage p) {
    return p.videos().stream().map(Verdict::getVideoId).toList();
  }

  @Test
  void shouldListTheLatestVerdictOfEachVideoNewestUpdateFirstAndPageWithoutRepeats() {
    verdicts(verdict("a", VerdictStatus.RUNNING, 100), verdict("b", VerdictStatus.FINAL, 300),
        verdict("c", VerdictStatus.RUNNING, 200), verdict("d", VerdictStatus.FAILED, 300),
        verdict("a", VerdictStatus.FINAL, 400), verdict("e", VerdictStatus.STALLED, 50));

    VideoPage first = view.videos(new VideoQuery(null, 0, 2, null));
    assertEquals(List.of("a", "b"), ids(first));
    VideoPage second = view.videos(new VideoQuery(null, 0, 2, first.next()));
    assertEquals(List.of("d", "c"), ids(second), "ties on updatedMs go by id");
    VideoPage last = view.videos(new VideoQuery(null, 0, 2, second.next()));
    assertEquals(List.of("e"), ids(last));
    assertNull(last.next());
    assertEquals(VerdictStatus.FINAL, first.videos().get(0).getStatus(), "a's latest verdict");
  }

  @Test
  void shouldFilterByStatusAndSinceAndMoveAVideoWhoseStatusChanged() {
    verdicts(verdict("a", VerdictStatus.RUNNING, 100), verdict("b", VerdictStatus.FINAL, 300),
        verdict("c", VerdictStatus.RUNNING, 200), verdict("a", VerdictStatus.FINAL, 400),
        verdict("u", VerdictStatus.VERDICT_STATUS_UNSPECIFIED, 150));

    assertEquals(List.of("a", "b"), ids(view.videos(new VideoQuery(VerdictStatus.FINAL, 0, 50,
        null))));
    assertEquals(List.of("c", "u"), ids(view.videos(new VideoQuery(VerdictStatus.RUNNING, 0, 50,
        null))), "a left RUNNING; a verdict without status counts as RUNNING");
    assertEquals(List.of("a", "b", "c"), ids(view.videos(new VideoQuery(null, 200, 50, null))));
    VideoPage page = view.videos(new VideoQuery(VerdictStatus.FINAL, 0, 1, null));
    assertEquals(List.of("b"), ids(view.videos(new VideoQuery(VerdictStatus.FINAL, 0, 1,
        page.next()))));
  }

  @Test
  void shouldRefuseACursorItDidNotHandOut() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> view.videos(new VideoQuery(null, 0, 5, "bm90LWEtY3Vyc29y")));
    assertTrue(e.getMessage().contains("cursor"), e.getMessage());
  }

  @Test
  void shouldKeepEachTracksNewestPointsOncePerSampleInTimeOrder() {
    verdicts(verdict("v", VerdictStatus.RUNNING, 100));
    view.apply(List.of(
        record(Topics.VIDEO_TIMELINE, 0, 0, "v", point("v", 1, 3, 0.3f)),
        record(Topics.VIDEO_TIMELINE, 0, 1, "v", point("v", 2, 1, null)),
        record(Topics.VIDEO_TIMELINE, 0, 2, "v", point("v", 1, 1, 0.1f)),
        record(Topics.VIDEO_TIMELINE, 0, 3, "v", point("v", 1, 3, 0.35f)), // a repeat replaces
        record(Topics.VIDEO_TIMELINE, 0, 4, "v", point("v", 1, 0, 0.05f)),
        record(Topics.VIDEO_TIMELINE, 0, 5, "v", point("v", 1, 4, 0.4f)),
        record(Topics.VIDEO_TIMELINE, 0, 6, "v", point("v", 1, 2, 0.2f))));

    VideoDetail d = view.video("v").orElseThrow();
    // 6 distinct (track, sample) points, capacity 4: the two of the oldest samples went
    assertEquals(List.of(1, 2), d.tracks().stream().map(VideoDetail.Track::id).toList());
    List<VideoDetail.Point> track1 = d.tracks().get(0).points();
    assertEquals(List.of(2L, 3L, 4L), track1.stream().map(VideoDetail.Point::sampleIndex).toList());
    assertEquals(0.35f, track1.get(1).pFake(), "the repeat replaced the first point");
    VideoDetail.Point unscored = d.tracks().get(1).points().get(0);
    assertEquals(1L, unscored.sampleIndex());
    assertTrue(Float.isNaN(unscored.pFake()));
  }

  @Test
  void shouldKeepAVideosAlertTransitionsOnceInOrderAndTheNewestAcrossVideos() {
    verdicts(verdict("v", VerdictStatus.RUNNING, 100), verdict("w", VerdictStatus.RUNNING, 100));
    Alert raised = alert("v", 1, 0, AlertTransition.RAISED, 1000);
    view.apply(List.of(
        record(Topics.ALERTS, 1, 0, "v", raised),
        record(Topics.ALERTS, 1, 1, "v", alert("v", 1, 1, AlertTransition.UPDATED, 2000)),
        record(Topics.ALERTS, 1, 2, "v", raised), // a repeat of a transition
        record(Topics.ALERTS, 2, 0, "w", alert("w", 1, 0, AlertTransition.RAISED, 1500)),
        record(Topics.ALERTS, 1, 3, "v", alert("v", 1, 2, AlertTransition.CLEARED, 3000))));

    List<Alert> v = view.video("v").orElseThrow().alerts();
    assertEquals(List.of(AlertTransition.RAISED, AlertTransition.UPDATED, AlertTransition.CLEARED),
        v.stream().map(Alert::getTransition).toList());
    assertEquals(List.of(1500L, 2000L, 3000L),
        view.alerts(1500, 50).stream().map(Alert::getAtMs).toList());
    assertEquals(List.of(2000L, 3000L),
        view.alerts(0, 2).stream().map(Alert::getAtMs).toList(), "the newest 2, oldest first");
    assertEquals(2 + 4, view.events().size(), "2 verdicts, 4 transitions: the repeat is no event");
  }

  @Test
  void shouldForgetAVideoOnATombstoneAndSkipRecordsThatDoNotParse() {
    verdicts(verdict("a", VerdictStatus.FINAL, 100), verdict("b", VerdictStatus.FINAL, 200));
    view.apply(List.of(record(Topics.VERDICTS, 0, 9, "a", null),
        new ConsumerRecord<>(Topics.VERDICTS.name(), 0, 10, "c".getBytes(), new byte[] {1, 2, 3})));

    assertFalse(view.video("a").isPresent());
    assertEquals(List.of("b"), ids(view.videos(new VideoQuery(null, 0, 50, null))));
    assertTrue(view.health().checks().values().iterator().next().contains("1 malformed"),
        view.health().toString());
  }

  @Test
  void shouldForgetADeletedVideosAlertsTimelineAndEventsAndIgnoreItsRecordsReadAfterTheTombstone() {
    List<ViewEvent> heard = new ArrayList<>();
    view.subscribe(heard::addAll);
    view.apply(List.of(
        record(Topics.VERDICTS, 0, 0, "a",
            verdict("a", VerdictStatus.FINAL, 100).toBuilder().setTenant("acme").build()),
        record(Topics.ALERTS, 0, 0, "a", alert("a", 1, 0, AlertTransition.RAISED, 1000)),
        record(Topics.VIDEO_TIMELINE, 0, 0, "a", point("a", 1, 0, 0.9f)),
        record(Topics.VERDICTS, 1, 0, "b", verdict("b", VerdictStatus.FINAL, 200)),
        record(Topics.ALERTS, 1, 0, "b", alert("b", 1, 0, AlertTransition.RAISED, 2000))));
    heard.clear();

    view.apply(List.of(record(Topics.VERDICTS, 0, 1, "a", null)));
    assertFalse(view.video("a").isPresent());
    assertEquals(List.of("b"), ids(view.videos(new VideoQuery(null, 0, 50, null))));
    assertEquals(List.of("b"), view.alerts(0, 50).stream().map(Alert::getVideoId).toList(),
        "the alert history forgets it");
    assertEquals(List.of(), view.finishedBefore(Long.MAX_VALUE).stream()
        .filter(v -> v.getVideoId().equals("a")).toList());
    assertEquals(1, heard.size());
    ViewEvent deleted = heard.get(0);
    assertEquals(ViewEvent.Kind.DELETED, deleted.kind());
    assertEquals(Verdict.newBuilder().setVideoId("a").setTenant("acme").build(),
        deleted.payload(), "the event names the video and its tenant, nothing else");
    EventLog.Replay replay = view.events().since(EventPosition.START);
    assertEquals(List.of("b", "b", "a"), replay.events().stream().map(ViewEvent::videoId)
        .toList(), "a resuming client is not sent the deleted video's verdicts or alerts");
    assertEquals(ViewEvent.Kind.DELETED, replay.events().get(2).kind());
    assertEquals(2, replay.head().next(ViewEvent.Kind.VERDICT, 0),
        "a deletion moves the position on verdicts");

    // written before the tombstone but read after it (another topic): ignored
    view.apply(List.of(
        record(Topics.ALERTS, 0, 1, "a", alert("a", 1, 1, AlertTransition.UPDATED, 1500)),
        record(Topics.VIDEO_TIMELINE, 0, 1, "a", point("a", 1, 1, 0.8f)),
        record(Topics.VERDICTS, 0, 2, "a", null)));
    assertFalse(view.video("a").isPresent());
    assertEquals(List.of("b"), view.alerts(0, 50).stream().map(Alert::getVideoId).toList());
    assertEquals(1, heard.size(), "a tombstone of an unknown video is no event");

    view.apply(List.of(record(Topics.VERDICTS, 0, 3, "a", verdict("a", VerdictStatus.RUNNING,
        300))));
    assertTrue(view.video("a").isPresent(), "a verdict after the tombstone brings it back");
  }

  @Test
  void shouldListFinishedVideosLastUpdatedBeforeATimeLeastRecentFirst() {
    verdicts(verdict("a", VerdictStatus.FINAL, 300), verdict("b", VerdictStatus.FAILED, 100),
        verdict("c", VerdictStatus.RUNNING, 50), verdict("d", VerdictStatus.STALLED, 60),
        verdict("e", VerdictStatus.FINAL, 200), verdict("f", VerdictStatus.FINAL, 500));
    assertEquals(List.of("b", "e", "a"), view.finishedBefore(400).stream()
        .map(Verdict::getVideoId).toList(), "running and stalled videos are not finished");
    verdicts(verdict("b", VerdictStatus.FAILED, 450));
    assertEquals(List.of("e", "a"), view.finishedBefore(400).stream()
        .map(Verdict::getVideoId).toList(), "by the latest update");
  }

  @Test
  void shouldTellListenersOfNewVerdictsAndAlertsButNotOfTimelinePoints() {
    List<ViewEvent> heard = new ArrayList<>();
    Runnable unsubscribe = view.subscribe(heard::addAll);
    view.apply(List.of(record(Topics.VERDICTS, 3, 7, "v", verdict("v", VerdictStatus.RUNNING, 1)),
        record(Topics.VIDEO_TIMELINE, 0, 0, "v", point("v", 1, 0, 0.5f)),
        record(Topics.ALERTS, 2, 4, "v", alert("v", 1, 0, AlertTransition.RAISED, 1))));
    unsubscribe.run();
    view.apply(List.of(record(Topics.VERDICTS, 3, 8, "v", verdict("v", VerdictStatus.FINAL, 2))));

    assertEquals(List.of(ViewEvent.Kind.VERDICT, ViewEvent.Kind.ALERT),
        heard.stream().map(ViewEvent::kind).toList());
    assertEquals("v0.0.0.9_a0.0.5", view.events().head().encode());
  }
}
