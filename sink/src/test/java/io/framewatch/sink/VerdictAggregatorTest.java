package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.framewatch.proto.Detection;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Point;
import io.framewatch.proto.Progress;
import io.framewatch.proto.TrackSummary;
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

  private static Detection face(float x, float y, float pFake) {
    FaceDetection.Builder f = FaceDetection.newBuilder().setXMin(x).setYMin(y).setXMax(x + 100)
        .setYMax(y + 100);
    for (int k = 0; k < 6; k++) {
      f.addKeypoints(Point.newBuilder().setX(x + 10 + 15 * k).setY(y + 50));
    }
    return Detection.newBuilder().setFace(f).setModelId("caddm-demo").setPFake(pFake).build();
  }

  private static VerdictState frame(VerdictState s, long index, Detection... faces) {
    return VerdictAggregator.apply("v", VerdictInput.newBuilder().setAtMs(1)
        .setFrame(FrameAnalysis.newBuilder().setVideoId("v").setSampleIndex(index)
            .setPtsUs(index * 500_000).addAllDetections(List.of(faces))).build(), s);
  }

  private static VerdictState end(VerdictState s, long samples) {
    return VerdictAggregator.apply("v", VerdictInput.newBuilder().setEvent(VideoEvent
        .newBuilder().setVideoId("v").setEnd(EndOfVideo.newBuilder().setSamplesExpected(samples)))
        .build(), s);
  }

  @Test
  void shouldKeepOneForgedFaceAmongRealOnesFromBeingAveragedAway() {
    VerdictState s = VerdictState.getDefaultInstance();
    // two real faces and one forged, side by side, for 4 samples
    for (long i = 0; i < 4; i++) {
      s = frame(s, i, face(0, 0, 0.1f), face(300, 0, 0.1f), face(600, 0, 0.9f));
    }
    s = end(s, 4);
    Verdict v = s.getVerdict();
    assertEquals(3, v.getTracksCount(), v.toString());
    assertEquals((0.1 * 8 + 0.9 * 4) / 12, v.getScoreMean(), 1e-6, "mean over every face");
    assertEquals(0.9, v.getScoreTrackMax(), 1e-6, "the forged track's mean");
    assertEquals("track-max", v.getScorePolicy());
    assertEquals(0.9, v.getScore(), 1e-6, "decisions use the forged track");
    // 12 faces: rank ceil(0.9 * 12) = 11 is a 0.9
    assertEquals(0.9, v.getScoreP90(), 1e-9);
    TrackSummary forged = v.getTracks(2);
    assertEquals(0, forged.getFirstSample());
    assertEquals(3, forged.getLastSample());
    assertEquals(1_500_000, forged.getLastPtsUs());
    assertEquals(4, forged.getFrames());
  }

  @Test
  void shouldLinkFacesInSampleOrderWhateverOrderTheyArriveInAndIgnoreDuplicates() {
    VerdictState s = VerdictState.getDefaultInstance();
    // one face moving right 20 px per sample, arriving 2, 0, 3, 1, 1 (a redelivery), 4
    long[] order = {2, 0, 3, 1, 1, 4};
    for (long i : order) {
      s = frame(s, i, face(20 * i, 0, 0.2f + 0.1f * i));
    }
    s = end(s, 5);
    Verdict v = s.getVerdict();
    assertEquals(1, v.getTracksCount(), v.toString());
    TrackSummary t = v.getTracks(0);
    assertEquals(5, t.getFrames(), "the duplicate counts once");
    assertEquals(0.4, t.getScoreMean(), 1e-6, "(0.2 + 0.3 + 0.4 + 0.5 + 0.6) / 5");
    assertEquals(0.6, t.getScoreMax(), 1e-6);
    assertEquals(0.6, t.getScoreP90(), 1e-9, "rank ceil(4.5) = 5 of 5");
  }

  @Test
  void shouldCloseATrackAfterTheGapAndFollowCrossingFacesByOverlapThenKeypoints() {
    VerdictState s = VerdictState.getDefaultInstance();
    // A at x=0 moving right, B at x=200 moving left, 40 px per sample: they pass each other
    for (long i = 0; i < 5; i++) {
      s = frame(s, i, face(40 * i, 0, 0.1f), face(200 - 40 * i, 0, 0.8f));
    }
    // a face seen again after 6 missing samples (more than the gap of 4) starts a new track
    s = frame(s, 11, face(0, 0, 0.1f));
    for (long i = 5; i < 11; i++) {
      s = frame(s, i);
    }
    s = end(s, 12);
    Verdict v = s.getVerdict();
    assertEquals(3, v.getTracksCount(), v.toString());
    // where they cross (x 80/120 at sample 2) each face stays with the track it overlaps most
    assertEquals(0.1, v.getTracks(0).getScoreMax(), 1e-6, "track 1 keeps A's faces only");
    assertEquals(0.8, v.getTracks(1).getScoreMean(), 1e-6, "track 2 keeps B's faces only");
    assertEquals(11, v.getTracks(2).getFirstSample());
    assertEquals(12, v.getFramesAnalyzed());
  }
}
