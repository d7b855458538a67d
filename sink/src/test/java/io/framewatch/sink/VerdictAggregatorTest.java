package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Progress;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.sink.state.VerdictInput;
import io.framewatch.sink.state.VerdictState;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictAggregatorTest {

  @Test
  void shouldNameEveryClassifierThatJudgedTheVideoOnceAndSorted() {
    assertEquals("caddm-demo", VerdictAggregator.mergeModels("", "caddm-demo"));
    assertEquals("caddm-demo", VerdictAggregator.mergeModels("caddm-demo", "caddm-demo"));
    String both = VerdictAggregator.mergeModels("fst-demo", "caddm-demo");
    assertEquals("caddm-demo+fst-demo", both);
    assertEquals(both, VerdictAggregator.mergeModels(both, "fst-demo"));
    assertEquals(both, VerdictAggregator.mergeModels(both, "caddm-demo"));
  }

  private static VerdictState event(VerdictState s, VideoEvent.Builder e) {
    return VerdictAggregator.apply("live", VerdictInput.newBuilder()
        .setEvent(e.setVideoId("live").setAtMs(1)).build(), s);
  }

  private static VerdictState frame(VerdictState s, long index) {
    return VerdictAggregator.apply("live", VerdictInput.newBuilder().setAtMs(1)
        .setFrame(FrameAnalysis.newBuilder().setVideoId("live").setSampleIndex(index)).build(), s);
  }

  @Test
  void shouldExpectExactlyTheLiveSamplesTheDecodersReportedAcrossATakeover() {
    VerdictState s = VerdictState.getDefaultInstance();
    // worker A: slots 0-3 acknowledged and reported, slot 4 acknowledged just before it died
    s = event(s, VideoEvent.newBuilder().setProgress(Progress.newBuilder()
        .addAllAckedSamples(List.of(0L, 1L, 2L, 3L))));
    for (long i = 0; i <= 4; i++) {
      s = frame(s, i);
    }
    // worker B takes over after a 3 s gap: slots 11-13, the last ones in its end of video
    s = event(s, VideoEvent.newBuilder().setProgress(Progress.newBuilder()
        .addAllAckedSamples(List.of(11L, 12L))));
    s = frame(s, 11);
    s = frame(s, 11); // redelivered: counted once
    s = event(s, VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setLive(true)
        .setSamplesExpected(3).addAckedSamples(13L)));
    s = frame(s, 12);
    Verdict v = s.getVerdict();
    assertEquals(VerdictStatus.RUNNING, v.getStatus(), "slot 13 is still on its way");
    assertEquals(8, v.getFramesExpected(), "0-4 and 11-13, not worker B's own count");
    s = frame(s, 13);
    v = s.getVerdict();
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    assertEquals(8, v.getFramesExpected());
    assertEquals(8, v.getFramesAnalyzed());
  }
}
