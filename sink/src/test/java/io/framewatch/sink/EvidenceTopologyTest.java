package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.Point;
import io.framewatch.proto.StoredCrop;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.TrackEvidence;
import io.framewatch.proto.TrackSummary;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.topic.Topics;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Evidence through the sink's topology: an upload with two faces (two tracks) whose P(fake) is
 * known per sample; its FINAL verdict must name each track's top 3 samples, ask decode for them
 * one request per sample, link them from the alert, and fold decode's reports in. A live stream's
 * alert asks the decoder running the stream, through video.control.
 */
class EvidenceTopologyTest {
  /** The alert tests' policy: 10 s windows, caddm-demo raising at 0.74. */
  private static final AlertPolicy POLICY = AlertTopologyTest.POLICY;

  private TopologyTestDriver driver;
  private TestInputTopic<String, VideoEvent> events;
  private TestInputTopic<String, FrameAnalysis> frames;
  private TestOutputTopic<String, EvidenceRequest> requests;
  private TestOutputTopic<String, Verdict> verdicts;
  private TestOutputTopic<String, Alert> alerts;

  @BeforeEach
  void setUp() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "evidence-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SinkTopology.build(60_000, Scoring.DEFAULT, POLICY), p);
    events = driver.createInputTopic(Topics.VIDEO_EVENTS.name(),
        Topics.VIDEO_EVENTS.keySerde().serializer(), Topics.VIDEO_EVENTS.valueSerde().serializer());
    frames = driver.createInputTopic(Topics.DETECTIONS.name(),
        Topics.DETECTIONS.keySerde().serializer(), Topics.DETECTIONS.valueSerde().serializer());
    requests = driver.createOutputTopic(Topics.EVIDENCE_REQUESTS.name(),
        Topics.EVIDENCE_REQUESTS.keySerde().deserializer(),
        Topics.EVIDENCE_REQUESTS.valueSerde().deserializer());
    verdicts = driver.createOutputTopic(Topics.VERDICTS.name(),
        Topics.VERDICTS.keySerde().deserializer(), Topics.VERDICTS.valueSerde().deserializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(),
        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private static Detection face(float x, double p) {
    FaceDetection.Builder b = FaceDetection.newBuilder().setXMin(x).setYMin(100)
        .setXMax(x + 100).setYMax(200).setScore(0.9f);
    for (int k = 0; k < 6; k++) {
      b.addKeypoints(Point.newBuilder().setX(x + 10 * k).setY(150));
    }
    return Detection.newBuilder().setFace(b).setModelId("caddm-demo").setPFake((float) p).build();
  }

  /** Track A (left) scores 0.80 + sample/100, peaking at samples 19, 18, 17; track B 0.1. */
  private void upload(String id, boolean live) {
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("clip.mp4").setLive(live)
            .setTenant("acme")).build());
    for (long i = 0; i < 20; i++) {
      frames.pipeInput(id, FrameAnalysis.newBuilder().setVideoId(id).setSampleIndex(i)
          .setFrameIndex(i * 12).setPtsUs(i * 500_000).setClassifierModel("caddm-demo")
          .setFrameWidth(640).setFrameHeight(360).setPixelFormat(PixelFormat.YUV420P)
          .addDetections(face(100, 0.80 + i / 100.0))
          .addDetections(face(400, i == 3 ? 0.3 : 0.1)).build());
    }
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setSamplesExpected(20).setLive(live)).build());
  }

  private Verdict latest() {
    List<Verdict> all = verdicts.readValuesToList();
    return all.get(all.size() - 1);
  }

  @Test
  void shouldAskDecodeForEachTracksTopSamplesOnceWhenAnUploadTurnsFinal() {
    upload("v1", false);
    Verdict v = latest();
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    TrackSummary a = v.getTracks(0);
    assertEquals(List.of(19L, 18L, 17L),
        a.getEvidenceList().stream().map(TrackEvidence::getSampleIndex).toList(),
        "highest P(fake) first");
    TrackEvidence top = a.getEvidence(0);
    assertEquals("s19-f0-crop.png", top.getCropFile());
    assertEquals("s19-frame.jpg", top.getFrameFile());
    assertEquals(0.99, top.getPFake(), 1e-6);
    assertFalse(top.getStored(), "named before decode wrote it");
    TrackSummary b = v.getTracks(1);
    assertEquals(3L, b.getEvidence(0).getSampleIndex(), "track B's best face is sample 3");
    assertEquals("s3-f1-crop.png", b.getEvidence(0).getCropFile());

    List<EvidenceRequest> rs = requests.readValuesToList();
    // A: 17, 18, 19; B: 3 then the earliest of its ties, 0 and 1
    assertEquals(List.of(0L, 1L, 3L, 17L, 18L, 19L),
        rs.stream().map(EvidenceRequest::getSampleIndex).toList(), "one request per sample");
    EvidenceRequest r19 = rs.get(5);
    assertEquals("v1", r19.getVideoId());
    assertEquals(19 * 500_000L, r19.getPtsUs());
    assertEquals(19 * 12L, r19.getFrameIndex());
    assertEquals(640, r19.getFrameWidth());
    assertEquals(360, r19.getFrameHeight());
    assertEquals("acme", r19.getTenant());
    assertTrue(r19.hasCrop());
    assertEquals(List.of(0), r19.getCrop().getFacesList().stream()
        .map(EvidenceFace::getFaceIndex).toList());
    assertEquals(face(100, 0.99f).getFace(), r19.getCrop().getFaces(0).getDetection().getFace(),
        "the whole detection travels: box and keypoints to align on");

    Alert alert = alerts.readValuesToList().get(0);
    assertEquals(List.of(19L, 18L, 17L), alert.getEvidenceSamplesList());
    assertEquals(List.of("s19-f0-crop.png", "s18-f0-crop.png", "s17-f0-crop.png"),
        alert.getEvidenceList().stream().map(TrackEvidence::getCropFile).toList(),
        "the alert links the forged track's files, not the real face's");

    // a redelivered end changes nothing and asks for nothing again
    events.pipeInput("v1", VideoEvent.newBuilder().setVideoId("v1").setAtMs(3)
        .setEnd(EndOfVideo.newBuilder().setSamplesExpected(20)).build());
    assertTrue(requests.isEmpty(), "the FINAL transition asks once");
  }

  /**
   * An upload of 1920x1080 analysed at 640x360, whose faces are 30 analysis pixels (90 source
   * pixels) wide: track A forged (0.80 + sample/100), track B real (0.1).
   */
  private void smallFaces(String id) {
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("clip.mp4").setTenant("acme")).build());
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(1)
        .setProbe(io.framewatch.proto.Probe.newBuilder().setWidth(1920).setHeight(1080)).build());
    for (long i = 0; i < 20; i++) {
      FrameAnalysis.Builder f = FrameAnalysis.newBuilder().setVideoId(id).setSampleIndex(i)
          .setFrameIndex(i * 12).setPtsUs(i * 500_000).setClassifierModel("caddm-demo")
          .setFrameWidth(640).setFrameHeight(360).setPixelFormat(PixelFormat.YUV420P);
      for (float x : new float[] {100, 400}) {
        Detection d = face(x, x == 100 ? 0.80 + i / 100.0 : 0.1);
        f.addDetections(d.toBuilder().setFace(d.getFace().toBuilder().setXMax(x + 30)
            .setYMax(120)));
      }
      frames.pipeInput(id, f.build());
    }
    events.pipeInput(id, VideoEvent.newBuilder().setVideoId(id).setAtMs(2)
        .setEnd(EndOfVideo.newBuilder().setSamplesExpected(20)).build());
  }

  @Test
  void shouldAskForASuperResolvedCropOfAFlaggedTracksSmallFaceOnlyAndFoldEnhancesReport() {
    smallFaces("v5");
    Verdict v = latest();
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    TrackEvidence top = v.getTracks(0).getEvidence(0);
    assertEquals(19L, top.getSampleIndex());
    assertEquals("s19-f0-sr.png", top.getEnhancedFile(), "the flagged track's top sample");
    assertFalse(top.getEnhancedStored());
    assertEquals("", v.getTracks(0).getEvidence(1).getEnhancedFile(), "its top sample only");
    assertEquals("", v.getTracks(1).getEvidence(0).getEnhancedFile(),
        "the real track (0.1) is not flagged");

    List<EvidenceRequest> bursts = requests.readValuesToList().stream()
        .filter(EvidenceRequest::hasBurstSr).toList();
    assertEquals(1, bursts.size(), "one burst, for the flagged track");
    EvidenceRequest r = bursts.get(0);
    assertEquals(19L, r.getSampleIndex());
    assertEquals(19 * 500_000L, r.getPtsUs());
    assertEquals(640, r.getFrameWidth(), "the box is in analysis pixels; decode maps it");
    assertEquals(5, r.getBurstSr().getFrames());
    assertEquals("s19-f0-sr.png", r.getBurstSr().getFile());
    assertEquals(0, r.getBurstSr().getFace().getFaceIndex());
    assertEquals(30, r.getBurstSr().getFace().getDetection().getFace().getXMax()
        - r.getBurstSr().getFace().getDetection().getFace().getXMin(), 1e-3);
    assertEquals(List.of("s19-f0-sr.png"), alerts.readValuesToList().get(0).getEvidenceList()
        .stream().map(TrackEvidence::getEnhancedFile).filter(f -> !f.isEmpty()).toList(),
        "the alert links it too");

    events.pipeInput("v5", VideoEvent.newBuilder().setVideoId("v5").setAtMs(5)
        .setEvidence(EvidenceStored.newBuilder().setSampleIndex(19)
            .setEnhanced(io.framewatch.proto.StoredEnhanced.newBuilder().setFaceIndex(0)
                .setFile("s19-f0-sr.png").setSide(405))).build());
    TrackEvidence stored = latest().getTracks(0).getEvidence(0);
    assertTrue(stored.getEnhancedStored());
    assertFalse(stored.getStored(), "the crop's own report is separate");
    events.pipeInput("v5", VideoEvent.newBuilder().setVideoId("v5").setAtMs(6)
        .setEvidence(EvidenceStored.newBuilder().setSampleIndex(19)
            .setEnhanced(io.framewatch.proto.StoredEnhanced.newBuilder().setFaceIndex(0)
                .setFile("s19-f0-sr.png").setError("enhance: disk full"))).build());
    TrackEvidence failed = latest().getTracks(0).getEvidence(0);
    assertFalse(failed.getEnhancedStored());
    assertEquals("enhance: disk full", failed.getEnhancedError());
  }

  @Test
  void shouldNotAskForSuperResolvedCropsOfFacesAtOrAboveTheSizeInSourcePixels() {
    // 100 analysis pixels of a 640x360 source are 100 source pixels: >= 96
    upload("v6", false);
    assertTrue(requests.readValuesToList().stream().noneMatch(EvidenceRequest::hasBurstSr));
    assertTrue(latest().getTracks(0).getEvidence(0).getEnhancedFile().isEmpty());
  }

  @Test
  void shouldMeasureTheFaceInSourcePixels() {
    // 30 x 20 analysis pixels of a 640x360 frame
    io.framewatch.sink.state.EvidenceCandidate c = io.framewatch.sink.state.EvidenceCandidate
        .newBuilder().setFrameWidth(640).setFrameHeight(360).setDetection(Detection.newBuilder()
            .setFace(FaceDetection.newBuilder().setXMin(10).setXMax(40).setYMin(5).setYMax(25)))
        .build();
    assertEquals(90, Evidence.faceSide(c, io.framewatch.proto.Probe.newBuilder()
        .setWidth(1920).setHeight(1080).build()), 1e-3, "a 1920x1080 source: 90 source pixels");
    assertEquals(30, Evidence.faceSide(c, io.framewatch.proto.Probe.getDefaultInstance()), 1e-3,
        "no probe: the analysis frame's pixels");
  }

  @Test
  void shouldMarkEvidenceStoredOrFailedAsDecodeReportsIt() {
    upload("v2", false);
    verdicts.readValuesToList();
    events.pipeInput("v2", VideoEvent.newBuilder().setVideoId("v2").setAtMs(5)
        .setEvidence(EvidenceStored.newBuilder().setSampleIndex(19).setFrameFile("s19-frame.jpg")
            .addCrops(StoredCrop.newBuilder().setFaceIndex(0).setTrackId(1)
                .setFile("s19-f0-crop.png"))).build());
    events.pipeInput("v2", VideoEvent.newBuilder().setVideoId("v2").setAtMs(6)
        .setEvidence(EvidenceStored.newBuilder().setSampleIndex(18)
            .setError("no frame at 9.000 s")).build());
    Verdict v = latest();
    assertEquals(VerdictStatus.FINAL, v.getStatus(), "evidence never reopens a verdict");
    List<TrackEvidence> e = v.getTracks(0).getEvidenceList();
    assertTrue(e.get(0).getStored());
    assertFalse(e.get(1).getStored());
    assertEquals("no frame at 9.000 s", e.get(1).getError());
    assertFalse(e.get(2).getStored(), "not reported yet");
  }

  @Test
  void shouldAskTheLiveStreamsDecoderThroughVideoControlForEachAlertSampleOnce() {
    TestOutputTopic<String, StreamControl> control = driver.createOutputTopic(
        Topics.VIDEO_CONTROL.name(), Topics.VIDEO_CONTROL.keySerde().deserializer(),
        Topics.VIDEO_CONTROL.valueSerde().deserializer());
    events.pipeInput("l1", VideoEvent.newBuilder().setVideoId("l1").setAtMs(1)
        .setAccepted(Accepted.newBuilder().setFileName("rtsp://cam").setLive(true)
            .setTenant("acme")).build());
    for (long i = 0; i < 40; i++) {
      frames.pipeInput("l1", FrameAnalysis.newBuilder().setVideoId("l1").setSampleIndex(i)
          .setFrameIndex(i * 12).setPtsUs(i * 500_000).setClassifierModel("caddm-demo")
          .setFrameWidth(640).setFrameHeight(360).setPixelFormat(PixelFormat.YUV420P)
          .addDetections(face(100, i >= 10 ? 0.95 : 0.5)).build());
    }
    List<Alert> as = alerts.readValuesToList();
    Alert raised = as.get(0);
    assertEquals(AlertTransition.RAISED, raised.getTransition());
    assertEquals(raised.getEvidenceSamplesList(), raised.getEvidenceList().stream()
        .map(TrackEvidence::getSampleIndex).toList(), "each evidence sample's file is linked");
    assertEquals(VideoFiles.cropName(raised.getEvidenceSamples(0), 0),
        raised.getEvidence(0).getCropFile());
    assertTrue(requests.isEmpty(), "no stored media: nothing for the evidence servers");
    List<StreamControl> asked = control.readValuesToList();
    assertFalse(asked.isEmpty());
    assertTrue(asked.stream().noneMatch(StreamControl::getStop), "evidence, not a stop");
    List<Long> samples = asked.stream().map(c -> c.getEvidence().getSampleIndex()).toList();
    assertEquals(samples.stream().distinct().toList(), samples, "each sample asked once");
    assertTrue(samples.containsAll(raised.getEvidenceSamplesList()));
    EvidenceRequest r = asked.get(0).getEvidence();
    assertEquals("l1", r.getVideoId());
    assertEquals(640, r.getFrameWidth());
    assertEquals(face(100, 0.95).getFace(), r.getCrop().getFaces(0).getDetection().getFace());
    Verdict v = latest();
    assertTrue(v.getTracks(0).getEvidenceList().stream()
        .anyMatch(e -> e.getSampleIndex() == raised.getEvidenceSamples(0)),
        "the verdict's track lists the live evidence too, for decode's report to mark stored");
  }
}
