package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertLevel;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Progress;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VideoEvent;
import io.framewatch.topic.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts through the sink's topology: hand-computed windows over a live stream at 2 samples/s
 * (10 s windows every 2 s, 6 s hold, 6 faces and 10 frames at least; caddm-demo raise 0.74, clear
 * 0.67), uploads judged at FINAL, and the timeline points that carry each face's track.
 */
class AlertTopologyTest {
  static final AlertPolicy POLICY = new AlertPolicy(10_000_000, 2_000_000, 6_000_000, 6,
      10, Map.of("caddm-demo", new AlertThresholds(0.74, 0.67)));

  private TopologyTestDriver driver;
  private TestInputTopic<String, VideoEvent> events;
  private TestInputTopic<String, FrameAnalysis> frames;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, TimelinePoint> timeline;
  private TestOutputTopic<String, Verdict> verdicts;

  @BeforeEach
  void setUp() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SinkTopology.build(60_000, Scoring.DEFAULT, POLICY), p);
    events = driver.createInputTopic(Topics.VIDEO_EVENTS.name(),
        Topics.VIDEO_EVENTS.keySerde().serializer(), Topics.VIDEO_EVENTS.valueSerde().serializer());
    frames = driver.createInputTopic(Topics.DETECTIONS.name(),
        Topics.DETECTIONS.keySerde().serializer(), Topics.DETECTIONS.valueSerde().serializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(),
        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer());
    timeline = driver.createOutputTopic(Topics.VIDEO_TIMELINE.name(),
        Topics.VIDEO_TIMELINE.keySerde().deserializer(),
        Topics.VIDEO_TIMELINE.valueSerde().deserializer());
    verdicts = driver.createOutputTopic(Topics.VERDICTS.name(),
        Topics.VERDICTS.keySerde().deserializer(), Topics.VERDICTS.valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private void live(String id) {
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("udp://camera").setLive(true)).build());
  }

  /** A frame at 2 samples/s with one face, in the same place every time, of P(fake) {@code p}. */
  private void frame(String id, long sample, double p) {
    float x = 100;
    FaceDetection box = FaceDetection.newBuilder().setXMin(x).setYMin(x).setXMax(x + 100)
        .setYMax(x + 100).build();
    frames.pipeInput(id, FrameAnalysis.newBuilder().setVideoId(id).setSampleIndex(sample)
        .setPtsUs(sample * 500_000).setDecodedAtMs(10_000 + sample).setClassifierModel("caddm-demo")
        .addDetections(Detection.newBuilder().setFace(box).setModelId("caddm-demo")
            .setPFake((float) p))
        .build());
  }

  private void frames(String id, long from, long to, LongFunction<Double> score) {
    for (long i = from; i < to; i++) {
      frame(id, i, score.apply(i));
    }
  }

  private List<AlertTransition> transitions(List<Alert> as) {
    return as.stream().map(Alert::getTransition).toList();
  }

  @Test
  void shouldRaiseOnceWhileAForgedFaceIsOnAndClearOnlyAfterTheHoldTime() {
    live("s1");
    frames("s1", 0, 40, i -> 0.5); // 0-20 s real
    assertTrue(alerts.isEmpty(), "real faces at 0.5 raise nothing");
    frames("s1", 40, 52, i -> 0.95); // forged from 20 s
    assertTrue(alerts.isEmpty(), "the window ending at 26 s is not complete before 26 s");
    frame("s1", 52, 0.95);
    Alert raised = alerts.readValue();
    // window [16 s, 26 s): 8 real faces at 0.5 and 12 forged at 0.95
    assertEquals(AlertTransition.RAISED, raised.getTransition());
    assertEquals(0.77, raised.getScore(), 1e-6);
    assertEquals(16_000_000, raised.getWindowStartUs());
    assertEquals(26_000_000, raised.getWindowEndUs());
    assertEquals("s1#1", raised.getAlertId());
    assertEquals(0, raised.getSequence());
    assertEquals(List.of(1), raised.getTrackIdsList());
    assertEquals(20, raised.getFrames());
    assertEquals(20, raised.getFaces());
    assertEquals(AlertLevel.WARNING, raised.getLevel());
    assertEquals(10_052, raised.getTriggerDecodedMs(), "the frame that completed the window");
    assertEquals(40, raised.getEvidenceSamples(0), "the earliest of the highest-scoring faces");
    frames("s1", 53, 80, i -> 0.95); // forged until 40 s
    // [18, 28): 16 forged -> 0.86 (>= 0.77 + 0.05); [20, 30): all forged -> 0.95
    List<Alert> updates = alerts.readValuesToList();
    assertEquals(List.of(AlertTransition.UPDATED, AlertTransition.UPDATED), transitions(updates));
    assertEquals(0.86, updates.get(0).getScore(), 1e-6);
    assertEquals(0.95, updates.get(1).getScore(), 1e-6);
    assertEquals(AlertLevel.CRITICAL, updates.get(1).getLevel());
    // real again from 40 s: windows ending 42, 44 and 46 s stay at or above 0.67 (0.86, 0.77,
    // 0.68); from 48 s they are below, and the alert clears at 54 s after 6 s below
    frames("s1", 80, 108, i -> 0.5);
    assertTrue(alerts.isEmpty(), "still within the hold time");
    frame("s1", 108, 0.5);
    Alert cleared = alerts.readValue();
    assertEquals(AlertTransition.CLEARED, cleared.getTransition());
    assertEquals(54_000_000, cleared.getWindowEndUs());
    assertEquals(3, cleared.getSequence());
    assertEquals(0.95, cleared.getPeakScore(), 1e-6);
    frames("s1", 109, 140, i -> 0.5);
    assertTrue(alerts.isEmpty());
    Verdict v = verdicts.readKeyValuesToMap().get("s1");
    assertFalse(v.getAlertOpen());
    assertEquals(1, v.getAlertsRaised());
  }

  @Test
  void shouldNotFlapOnAScoreOscillatingAroundTheRaiseThreshold() {
    live("s2");
    // 4 s blocks of 0.85 and 0.62: 10 s windows hold 8 to 12 high faces, means 0.712 to 0.758
    frames("s2", 0, 120, i -> (i / 8) % 2 == 0 ? 0.85 : 0.62);
    List<Alert> during = alerts.readValuesToList();
    assertEquals(List.of(AlertTransition.RAISED), transitions(during),
        "windows dipping to 0.712 stay above the clear threshold: the alert stays raised");
    frames("s2", 120, 160, i -> 0.3);
    assertEquals(List.of(AlertTransition.CLEARED), transitions(alerts.readValuesToList()));
  }

  @Test
  void shouldNotRaiseForATrackWithTooFewFacesInTheWindow() {
    live("s3");
    FaceDetection other = FaceDetection.newBuilder().setXMin(400).setYMin(100).setXMax(500)
        .setYMax(200).build();
    for (long i = 0; i < 70; i++) {
      FrameAnalysis.Builder f = FrameAnalysis.newBuilder().setVideoId("s3").setSampleIndex(i)
          .setPtsUs(i * 500_000).setClassifierModel("caddm-demo")
          .addDetections(Detection.newBuilder().setFace(FaceDetection.newBuilder().setXMin(100)
              .setYMin(100).setXMax(200).setYMax(200)).setModelId("caddm-demo").setPFake(0.5f));
      if (i >= 30 && i < 35) { // a second face, forged, for five samples only
        f.addDetections(Detection.newBuilder().setFace(other).setModelId("caddm-demo")
            .setPFake(0.99f));
      }
      frames.pipeInput("s3", f.build());
    }
    assertEquals(List.of(1, 2), timeline.readValuesToList().stream()
        .map(TimelinePoint::getTrackId).distinct().toList());
    assertTrue(alerts.isEmpty(), "track 2 never has six faces in a window");
  }

  @Test
  void shouldClearAnOpenAlertWhenTheStreamEnds() {
    live("s4");
    frames("s4", 0, 40, i -> 0.97);
    assertEquals(AlertTransition.RAISED, alerts.readValue().getTransition());
    events.pipeInput("s4", VideoEvent.newBuilder().setVideoId("s4").setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setLive(true)
            .addAllAckedSamples(LongStream.range(0, 40).boxed().toList())).build());
    Alert cleared = alerts.readValue();
    assertEquals(AlertTransition.CLEARED, cleared.getTransition());
    assertEquals("the stream ended", cleared.getReason());
  }

  @Test
  void shouldLinkLiveFramesAfterAGapOnceTheDecoderReportsWhichSamplesExist() {
    live("s5");
    frames("s5", 0, 10, i -> 0.5);
    assertEquals(10, timeline.readValuesToList().size());
    // the stream was down for samples 10-29; 30-35 arrive and wait for the missing ones
    frames("s5", 30, 36, i -> 0.5);
    assertTrue(timeline.isEmpty(), "samples 10-29 might still come");
    events.pipeInput("s5", VideoEvent.newBuilder().setVideoId("s5").setAtMs(3)
        .setProgress(Progress.newBuilder().addAllAckedSamples(LongStream.concat(
            LongStream.range(0, 10), LongStream.range(30, 36)).boxed().toList())).build());
    List<TimelinePoint> points = timeline.readValuesToList();
    assertEquals(LongStream.range(30, 36).boxed().toList(),
        points.stream().map(TimelinePoint::getSampleIndex).toList(),
        "once reported absent, the gap is not waited for");
    assertTrue(points.stream().allMatch(p -> p.getTrackId() == 1 && p.hasPFake()),
        "samples that never existed are not misses: the face keeps its track over the outage");
  }

  private void upload(String id, double p) {
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("clip.mp4")).build());
    frames(id, 0, 20, i -> p);
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setSamplesExpected(20)).build());
  }

  @Test
  void shouldRaiseAnUploadsAlertOnceWhenItsFinalScoreCrossesTheThreshold() {
    upload("u1", 0.9);
    List<Alert> raised = alerts.readValuesToList();
    assertEquals(1, raised.size(), "no windows for uploads: one alert, from the FINAL verdict");
    Alert a = raised.get(0);
    assertEquals("upload", a.getSource());
    assertEquals(AlertTransition.RAISED, a.getTransition());
    assertEquals(0.9, a.getScore(), 1e-6);
    assertEquals(List.of(1), a.getTrackIdsList());
    upload("u2", 0.6);
    assertTrue(alerts.isEmpty(), "0.6 is below caddm-demo's raise threshold");
  }

  @Test
  void shouldStampEveryAlertWithTheTenantThatOwnsTheVideo() {
    events.pipeInput("t1", VideoEvent.newBuilder().setVideoId("t1").setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("rtsp://cam").setLive(true)
            .setTenant("acme")).build());
    frames("t1", 0, 40, i -> 0.97);
    events.pipeInput("t1", VideoEvent.newBuilder().setVideoId("t1").setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setLive(true)
            .addAllAckedSamples(LongStream.range(0, 40).boxed().toList())).build());
    List<Alert> live = alerts.readValuesToList();
    assertEquals(List.of(AlertTransition.RAISED, AlertTransition.CLEARED), transitions(live));
    assertTrue(live.stream().allMatch(a -> a.getTenant().equals("acme")), live.toString());

    events.pipeInput("t2", VideoEvent.newBuilder().setVideoId("t2").setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("clip.mp4").setSizeBytes(5000)
            .setTenant("zeta")).build());
    frames("t2", 0, 20, i -> 0.9);
    events.pipeInput("t2", VideoEvent.newBuilder().setVideoId("t2").setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setSamplesExpected(20)).build());
    Alert upload = alerts.readValue();
    assertEquals("zeta", upload.getTenant());
    assertEquals("upload", upload.getSource());
    Verdict v = verdicts.readKeyValuesToMap().get("t2");
    assertEquals("zeta", v.getTenant());
    assertEquals(5000, v.getStoredBytes());

    upload("u3", 0.9);
    assertEquals("", alerts.readValue().getTenant(), "no tenant accepted, none stamped");
  }

  @Test
  void shouldRecommendThresholdsFromTheModelCardsHeldOutSegmentMeans() {
    // caddm-demo's card: real segments average 0.540-0.612, forged 0.859-0.885 over CRFs
    var m = io.framewatch.inference.ModelStore.of(null, null).manifest("caddm-demo");
    AlertThresholds t = AlertThresholds.recommended(m).orElseThrow();
    assertEquals((0.612 + 0.859) / 2, t.raise(), 1e-3);
    assertEquals((0.612 + t.raise()) / 2, t.clear(), 1e-3);
    assertEquals(Map.of("caddm-demo", new AlertThresholds(0.8, 0.7), "x", new AlertThresholds(0.5, 0.4)),
        AlertThresholds.parse("caddm-demo=0.8:0.7, x=0.5:0.4"));
  }
}
