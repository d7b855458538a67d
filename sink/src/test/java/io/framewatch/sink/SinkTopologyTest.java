package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Accepted;
import io.framewatch.proto.Deleted;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.Failure;
import io.framewatch.proto.Fetching;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Probe;
import io.framewatch.proto.Progress;
import io.framewatch.proto.Verdict;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.VideoEvent;
import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SinkTopologyTest {
  private TopologyTestDriver driver;
  private TestInputTopic<String, VideoEvent> events;
  private TestInputTopic<String, FrameAnalysis> frames;
  private TestOutputTopic<String, Verdict> verdicts;

  @BeforeEach
  void setUp() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sink-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SinkTopology.build(15_000, Scoring.DEFAULT,
        VerdictAggregator.NO_ALERTS), p);
    events = driver.createInputTopic(Topics.VIDEO_EVENTS.name(),
        Topics.VIDEO_EVENTS.keySerde().serializer(), Topics.VIDEO_EVENTS.valueSerde().serializer());
    frames = driver.createInputTopic(Topics.DETECTIONS.name(),
        Topics.DETECTIONS.keySerde().serializer(), Topics.DETECTIONS.valueSerde().serializer());
    verdicts = driver.createOutputTopic(Topics.VERDICTS.name(),
        Topics.VERDICTS.keySerde().deserializer(), Topics.VERDICTS.valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private void event(String id, VideoEvent.Builder e) {
    events.pipeInput(id, e.setVideoId(id).setAtMs(1000).build());
  }

  private void frame(String id, long sample, Detection... faces) {
    frames.pipeInput(id, FrameAnalysis.newBuilder().setVideoId(id).setSampleIndex(sample)
        .setDetectorModel("blazeface-front-128")
        .setClassifierModel(faces.length > 0 ? faces[0].getModelId() : "none")
        .addAllDetections(List.of(faces)).setAnalysisMs(5).build());
  }

  private static Detection unjudged() {
    return Detection.newBuilder().setFace(FaceDetection.getDefaultInstance())
        .setModelId("none").setNoModel(true).build();
  }

  private static Detection judged(float p) {
    return Detection.newBuilder().setFace(FaceDetection.getDefaultInstance())
        .setModelId("caddm-demo").setPFake(p).build();
  }

  private Verdict latest(String id) {
    KeyValueStore<String, VerdictState> store = driver.getKeyValueStore(SinkTopology.VERDICT_STORE);
    Verdict fromStore = store.get(id).getVerdict();
    Verdict published = verdicts.readKeyValuesToMap().get(id);
    assertEquals(fromStore, published, "the published verdict is the stored one");
    return fromStore;
  }

  @Test
  void shouldMarkAVideoWithoutProgressStalledNamingTheStageAndResumeWhenWorkComes() {
    event("v9", VideoEvent.newBuilder().setWorker("host/decode-1").setProbe(Probe.newBuilder()));
    event("v9", VideoEvent.newBuilder().setWorker("host/decode-1")
        .setProgress(Progress.newBuilder().setSamplesEmitted(3)));
    frames.pipeInput("v9", FrameAnalysis.newBuilder().setVideoId("v9").setSampleIndex(0).build(),
        java.time.Instant.ofEpochMilli(900));
    assertEquals(VerdictStatus.RUNNING, latest("v9").getStatus());
    // the events carry times far older than the driver's clock: the first check finds them quiet
    driver.advanceWallClockTime(Duration.ofSeconds(16));
    Verdict stalled = latest("v9");
    assertEquals(VerdictStatus.STALLED, stalled.getStatus());
    assertEquals("detect", stalled.getStall().getStage(), stalled.toString());
    assertTrue(stalled.getStall().getReason().startsWith("2 decoded samples not analysed"),
        stalled.toString());
    for (long i = 1; i <= 2; i++) {
      frames.pipeInput("v9", FrameAnalysis.newBuilder().setVideoId("v9").setSampleIndex(i)
          .build(), java.time.Instant.ofEpochMilli(900));
    }
    Verdict moving = latest("v9");
    assertEquals(VerdictStatus.RUNNING, moving.getStatus());
    assertFalse(moving.hasStall());
    driver.advanceWallClockTime(Duration.ofSeconds(16));
    Verdict again = latest("v9");
    assertEquals("decode", again.getStall().getStage());
    assertTrue(again.getStall().getReason().contains("host/decode-1"), again.toString());
    event("v9", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(3)));
    assertEquals(VerdictStatus.FINAL, latest("v9").getStatus());
    driver.advanceWallClockTime(Duration.ofSeconds(16));
    assertTrue(verdicts.isEmpty(), "a final verdict never stalls: nothing more is published");
    KeyValueStore<String, VerdictState> store = driver.getKeyValueStore(SinkTopology.VERDICT_STORE);
    assertEquals(VerdictStatus.FINAL, store.get("v9").getVerdict().getStatus());
  }

  @Test
  void shouldCarryTheTenantAndTheStoredBytesOfTheAcceptedEventIntoEveryVerdict() {
    event("up", VideoEvent.newBuilder().setAccepted(Accepted.newBuilder()
        .setFileName("clip.mp4").setSizeBytes(7_340_032).setTenant("acme")));
    frame("up", 0, judged(0.2f));
    event("up", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(1)));
    Verdict upload = latest("up");
    assertEquals(VerdictStatus.FINAL, upload.getStatus());
    assertEquals("acme", upload.getTenant());
    assertEquals(7_340_032, upload.getStoredBytes(), "an upload stores its file");
    event("cam", VideoEvent.newBuilder().setAccepted(Accepted.newBuilder()
        .setFileName("rtsp://camera").setLive(true).setSizeBytes(99).setTenant("zeta")));
    frame("cam", 0, judged(0.2f));
    Verdict live = latest("cam");
    assertEquals("zeta", live.getTenant());
    assertEquals(0, live.getStoredBytes(), "a live stream stores no media");
    event("old", VideoEvent.newBuilder().setAccepted(Accepted.newBuilder()
        .setFileName("before-tenants.mp4").setSizeBytes(10)));
    assertEquals("", latest("old").getTenant(), "accepted before keys existed: no tenant");
  }

  @Test
  void shouldShowAUrlIntakesDownloadInItsVerdictAndFreeItsBytesWhenTheFetchFails() {
    event("u", VideoEvent.newBuilder().setWorker("ingest").setAccepted(Accepted.newBuilder()
        .setFileName("clip.mp4").setTenant("acme")));
    event("u", VideoEvent.newBuilder().setWorker("ingest").setFetching(Fetching.newBuilder()
        .setBytesReceived(1 << 20).setBytesTotal(3 << 20)));
    Verdict fetching = latest("u");
    assertEquals(VerdictStatus.RUNNING, fetching.getStatus());
    assertEquals(1 << 20, fetching.getFetching().getBytesReceived());
    assertEquals(3 << 20, fetching.getFetching().getBytesTotal());
    assertEquals(1 << 20, fetching.getStoredBytes(), "the partial file counts as stored");
    event("u", VideoEvent.newBuilder().setWorker("ingest").setFetching(Fetching.newBuilder()
        .setBytesReceived(2 << 20).setBytesTotal(3 << 20)));
    assertEquals(2 << 20, latest("u").getStoredBytes());
    event("u", VideoEvent.newBuilder().setWorker("ingest").setFailure(Failure.newBuilder()
        .setStage("ingest").setReason("the source timed out")));
    Verdict failed = latest("u");
    assertEquals(VerdictStatus.FAILED, failed.getStatus());
    assertEquals(0, failed.getStoredBytes(), "ingest deleted the partial file");
  }

  @Test
  void shouldTombstoneADeletedVideosVerdictForgetItsStateAndDropWorkStillOnItsWay() {
    event("d1", VideoEvent.newBuilder().setAccepted(Accepted.newBuilder().setFileName("a.mp4")
        .setTenant("acme")));
    frame("d1", 0, judged(0.4f));
    event("d1", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(1)));
    Verdict last = latest("d1");
    assertEquals(VerdictStatus.FINAL, last.getStatus());
    assertEquals("acme", last.getTenant(), "the verdict carries the tenant of its Accepted");

    event("d1", deleted());
    List<KeyValue<String, Verdict>> out = verdicts.readKeyValuesToList();
    assertEquals(List.of(KeyValue.pair("d1", (Verdict) null)), out, "one tombstone, no verdict");
    VerdictState marker = store().get("d1");
    assertTrue(marker.getDeletedMs() > 0, "a marker remembers the deletion");
    assertEquals(VerdictState.newBuilder().setDeletedMs(marker.getDeletedMs()).build(), marker,
        "and nothing else of the video");

    // a redelivered analysis and a late event: dropped, the video does not come back
    frame("d1", 0, judged(0.4f));
    event("d1", VideoEvent.newBuilder().setProgress(Progress.newBuilder().setFramesDecoded(9)));
    assertTrue(verdicts.isEmpty(), "nothing is published for a deleted video");
    assertEquals(marker, store().get("d1"));

    event("d1", deleted());
    assertEquals(List.of(KeyValue.pair("d1", (Verdict) null)), verdicts.readKeyValuesToList(),
        "deleting again tombstones again");
    assertEquals(marker, store().get("d1"), "and keeps the first marker");
  }

  @Test
  void shouldNotMarkADeletedRunningVideoStalled() {
    event("d2", VideoEvent.newBuilder().setWorker("host/decode-1").setProbe(Probe.newBuilder()));
    frame("d2", 0, unjudged());
    KeyValueStore<String, Long> running = driver.getKeyValueStore(SinkTopology.RUNNING_STORE);
    assertTrue(running.get("d2") != null, "a running video is watched for stalls");
    event("d2", deleted());
    assertEquals(null, running.get("d2"), "a deleted one is not");
    verdicts.readKeyValuesToList();
    driver.advanceWallClockTime(Duration.ofSeconds(16));
    assertTrue(verdicts.isEmpty(), "no STALLED verdict brings it back");
  }

  private static VideoEvent.Builder deleted() {
    return VideoEvent.newBuilder().setWorker("ingest").setDeleted(Deleted.newBuilder()
        .setTenant("acme").setReason("request").setBy("key-1").setFilesRemoved(1)
        .setBytesRemoved(1234));
  }

  private KeyValueStore<String, VerdictState> store() {
    return driver.getKeyValueStore(SinkTopology.VERDICT_STORE);
  }

  @Test
  void shouldBecomeFinalOnlyWhenEveryExpectedFrameIsAccountedFor() {
    event("v1", VideoEvent.newBuilder().setProbe(Probe.newBuilder().setWidth(360)));
    frame("v1", 0, unjudged());
    frame("v1", 1);
    frame("v1", 2, unjudged());
    event("v1", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(4)));
    Verdict running = latest("v1");
    assertEquals(VerdictStatus.RUNNING, running.getStatus());
    assertEquals(4, running.getFramesExpected());
    assertEquals(3, running.getFramesAnalyzed());
    frame("v1", 3, unjudged());
    Verdict done = latest("v1");
    assertEquals(VerdictStatus.FINAL, done.getStatus());
    assertEquals(4, done.getFramesAnalyzed());
    assertEquals(3, done.getFramesWithFaces());
    assertEquals(3, done.getFacesDetected());
    assertEquals(360, done.getProbe().getWidth());
  }

  @Test
  void shouldCountARedeliveredFrameOnce() {
    frame("v2", 0, unjudged());
    frame("v2", 0, unjudged());
    frame("v2", 1);
    event("v2", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(3)));
    frame("v2", 1);
    Verdict v = latest("v2");
    assertEquals(2, v.getFramesAnalyzed());
    assertEquals(1, v.getFacesDetected());
    assertEquals(VerdictStatus.RUNNING, v.getStatus());
  }

  @Test
  void shouldSayNoModelAndGiveNoScoreWhenNoClassifierIsInstalled() {
    frame("v3", 0, unjudged(), unjudged());
    event("v3", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(1)));
    Verdict v = latest("v3");
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    assertEquals("none", v.getModel());
    assertFalse(v.hasScoreMean());
    assertFalse(v.hasScoreMax());
  }

  @Test
  void shouldAverageProbabilitiesOverJudgedFaces() {
    frame("v4", 0, judged(0.2f), judged(0.6f));
    frame("v4", 1, judged(0.7f));
    Verdict v = latest("v4");
    assertEquals("caddm-demo", v.getModel());
    assertEquals(0.5, v.getScoreMean(), 1e-6);
    assertEquals(0.7, v.getScoreMax(), 1e-6);
  }

  @Test
  void shouldFailTheVideoOnADecodeFailureAndStayFailed() {
    event("v5", VideoEvent.newBuilder().setFailure(
        Failure.newBuilder().setStage("decode").setReason("Invalid data found")));
    frame("v5", 0);
    Verdict v = latest("v5");
    assertEquals(VerdictStatus.FAILED, v.getStatus());
    assertTrue(v.getError().contains("Invalid data found"), v.getError());
  }

  @Test
  void shouldCountFramesThatFailedAnalysisAsAccountedFor() {
    frames.pipeInput("v6", FrameAnalysis.newBuilder().setVideoId("v6").setSampleIndex(0)
        .setError("bad layout").build());
    event("v6", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(1)));
    Verdict v = latest("v6");
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    assertEquals(1, v.getFramesFailed());
  }

  /** A face 100 px wide at x, its keypoints inside, scored {@code p}. */
  private static Detection faceAt(float x, float p) {
    FaceDetection.Builder f = FaceDetection.newBuilder().setXMin(x).setYMin(0).setXMax(x + 100)
        .setYMax(100);
    for (int k = 0; k < 6; k++) {
      f.addKeypoints(io.framewatch.proto.Point.newBuilder().setX(x + 10 + 15 * k).setY(50));
    }
    return Detection.newBuilder().setFace(f).setModelId("caddm-demo").setPFake(p).build();
  }

  @Test
  void shouldLinkAnUploadsFacesInSampleOrderWhenItsAnalysesArriveFarOutOfOrderAndAfterItsEnd() {
    // one face crossing the frame 20 px a sample; decode's end comes first (it finishes long
    // before detect), then 300 analyses in reverse order: every one far beyond the live window
    // of 64, and each but the last arriving before the sample it follows
    int n = 300;
    event("v1", VideoEvent.newBuilder().setEnd(EndOfVideo.newBuilder().setSamplesExpected(n)));
    for (int i = n - 1; i >= 0; i--) {
      frame("v1", i, faceAt(20 * i, 0.5f));
      if (i > 0) {
        assertEquals(0, latest("v1").getTracksCount(), "nothing linked before sample 0 came");
      }
    }
    Verdict v = latest("v1");
    assertEquals(VerdictStatus.FINAL, v.getStatus());
    assertEquals(1, v.getTracksCount(), "one track, not one per late analysis: " + v.getTracksList());
    assertEquals(n, v.getTracks(0).getFrames());
    assertEquals(0, v.getTracks(0).getFirstSample());
    assertEquals(n - 1, v.getTracks(0).getLastSample());
    KeyValueStore<String, VerdictState> states = driver.getKeyValueStore(SinkTopology.VERDICT_STORE);
    assertEquals(0, states.get("v1").getStoredPending());
    assertEquals(0, states.get("v1").getPendingCount(), "nothing waits inside the state either");
    KeyValueStore<String, FrameAnalysis> waiting =
        driver.getKeyValueStore(SinkTopology.PENDING_STORE);
    try (var it = waiting.all()) {
      assertFalse(it.hasNext(), "every waiting analysis left the store once linked");
    }
  }

  @Test
  void shouldLinkWhatWaitsWhenAnUploadFailsAndForgetWhatWaitsWhenItIsDeleted() {
    frame("v1", 3, faceAt(60, 0.5f));
    frame("v1", 2, faceAt(40, 0.5f));
    KeyValueStore<String, FrameAnalysis> waiting =
        driver.getKeyValueStore(SinkTopology.PENDING_STORE);
    frame("v2", 5, faceAt(0, 0.5f));
    assertEquals(2, driver.<String, VerdictState>getKeyValueStore(SinkTopology.VERDICT_STORE)
        .get("v1").getStoredPending());
    event("v1", VideoEvent.newBuilder().setFailure(Failure.newBuilder().setReason("decode died")));
    Verdict failed = latest("v1");
    assertEquals(VerdictStatus.FAILED, failed.getStatus());
    assertEquals(1, failed.getTracksCount(), "what had arrived is linked: " + failed);
    assertEquals(2, failed.getTracks(0).getFrames());
    event("v2", VideoEvent.newBuilder().setDeleted(Deleted.getDefaultInstance()));
    try (var it = waiting.all()) {
      assertFalse(it.hasNext(), "neither video leaves analyses behind");
    }
  }
}
