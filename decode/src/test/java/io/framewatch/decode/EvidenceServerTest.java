package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.FrameImages;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.CropRequest;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.Point;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.VideoFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * decode's evidence server on real footage with real FFmpeg: the frame it seeks to is, byte for
 * byte, the frame the decode job published for that sample, and the crop it stores is the
 * aligner's crop of that frame.
 */
class EvidenceServerTest {
  private static final long MAX_PIXELS = 8192L * 8192;

  /** franck with x264's B-frames and 10 s GOPs: seeks land mid-GOP, frames out of order. */
  private static Path franckWithBFrames(Path dir) throws Exception {
    return DecodeSkipTest.withBFrames(dir);
  }

  private static void assertSeeksMatchTheJob(Path file, DecodeSkip skip) throws Exception {
    DecodeConfig cfg = new DecodeConfig(new io.framewatch.runtime.KafkaSettings("127.0.0.1:9"),
        "g", 1, 640, MAX_PIXELS, 2, 0, io.framewatch.runtime.OutboundGuard.of(null), skip);
    VideoDecoderTest.Collect job = VideoDecoderTest.decode(file, VideoJob.newBuilder(), cfg);
    List<FrameRecord> frames = job.frames;
    assertTrue(frames.size() > 10, "enough samples: " + frames.size());
    for (int i : new int[] {0, 1, frames.size() / 2, frames.size() - 2, frames.size() - 1}) {
      FrameRecord want = frames.get(i);
      FrameRecord got = FrameSeeker.frameAt(file, want.getPtsUs(), want.getWidth(),
          want.getHeight(), want.getPixelFormat(), MAX_PIXELS);
      assertEquals(want.getPtsUs(), got.getPtsUs());
      assertEquals(want.getStridesList(), got.getStridesList());
      assertTrue(want.getData().equals(got.getData()),
          "sample " + i + " at " + want.getPtsUs() + " us decodes to the same bytes");
    }
  }

  @Test
  void shouldSeekToTheVeryFrameTheDecodeJobSampledInAClipWithBFrames(@TempDir Path dir)
      throws Exception {
    assertSeeksMatchTheJob(franckWithBFrames(dir), DecodeSkip.OFF);
  }

  @Test
  void shouldSeekToTheVeryFrameASkippingDecodeJobSampled(@TempDir Path dir) throws Exception {
    assertSeeksMatchTheJob(franckWithBFrames(dir), DecodeSkip.AUTO);
  }

  @Test
  void shouldSeekToTheVeryFrameTheDecodeJobSampledInCap12() throws Exception {
    assertSeeksMatchTheJob(TestMedia.clip(SampleMedia.CAP12_MP4), DecodeSkip.OFF);
  }

  /** A face roughly where franck's is, in a frame of the given size. */
  private static Detection face(int w, int h) {
    float cx = w * 0.5f;
    float cy = h * 0.4f;
    float s = h * 0.12f;
    float[] kp = {cx - s, cy - s * 0.3f, cx + s, cy - s * 0.3f, cx, cy + s * 0.3f, cx,
        cy + s, cx - 2 * s, cy, cx + 2 * s, cy};
    FaceDetection.Builder b = FaceDetection.newBuilder().setXMin(cx - 2 * s).setYMin(cy - 2 * s)
        .setXMax(cx + 2 * s).setYMax(cy + 2.2f * s).setScore(0.95f);
    for (int k = 0; k < 6; k++) {
      b.addKeypoints(Point.newBuilder().setX(kp[2 * k]).setY(kp[2 * k + 1]));
    }
    return Detection.newBuilder().setFace(b).setModelId("caddm-demo").setPFake(0.93f).build();
  }

  private static EvidenceRequest request(String id, FrameRecord f, long sample) {
    return EvidenceRequest.newBuilder().setVideoId(id).setSampleIndex(sample)
        .setFrameIndex(f.getFrameIndex()).setPtsUs(f.getPtsUs()).setFrameWidth(f.getWidth())
        .setFrameHeight(f.getHeight()).setPixelFormat(f.getPixelFormat())
        .setCrop(CropRequest.newBuilder().addFaces(EvidenceFace.newBuilder().setFaceIndex(0)
            .setTrackId(1).setDetection(face(f.getWidth(), f.getHeight())))).build();
  }

  @Test
  void shouldStoreTheAlignedCropLosslesslyAndAThumbnailAndReportThem(@TempDir Path dir)
      throws Exception {
    Path file = franckWithBFrames(dir);
    VideoFiles files = storedAsV1(dir, file);
    VideoDecoderTest.Collect job = VideoDecoderTest.decode(file, VideoJob.newBuilder());
    FrameRecord sampled = job.frames.get(7);
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");

    VideoEvent e = server.serve(request("v1", sampled, 7)).orElseThrow();
    EvidenceStored stored = e.getEvidence();
    assertEquals("", stored.getError());
    assertEquals(7, stored.getSampleIndex());
    assertEquals("s7-f0-crop.png", stored.getCrops(0).getFile());
    assertEquals("s7-frame.jpg", stored.getFrameFile());
    Path crop = files.evidenceFile("v1", "s7-f0-crop.png");
    Path thumb = files.evidenceFile("v1", "s7-frame.jpg");
    assertEquals(Files.size(crop), stored.getCrops(0).getBytes());
    assertEquals(Files.size(thumb), stored.getFrameBytes());

    RgbImage judged = FrameImages.toRgb(sampled);
    RgbImage expected = FaceAligner.cropRgb(judged,
        FaceAligner.transform(face(sampled.getWidth(), sampled.getHeight()).getFace()));
    RgbImage png = RgbImage.read(crop);
    assertEquals(FaceAligner.CANVAS, png.width());
    assertEquals(FaceAligner.CANVAS, png.height());
    assertArrayEquals(expected.rgb(), png.rgb(), "PNG keeps the crop of the judged frame exactly");
    BufferedImage jpg = ImageIO.read(thumb.toFile());
    assertEquals(sampled.getWidth(), jpg.getWidth());
    assertEquals(sampled.getHeight(), jpg.getHeight());
    assertEquals(2, files.of("v1").size() - 1, "the upload, a crop and a thumbnail");
  }

  @Test
  void shouldServeALiveStreamsEvidenceFromTheFramesItStillHolds(@TempDir Path dir)
      throws Exception {
    VideoDecoderTest.Collect job = VideoDecoderTest.decode(TestMedia.clip(SampleMedia.CAP12_MP4),
        VideoJob.newBuilder());
    LiveFrames live = new LiveFrames();
    live.open("live1", 5);
    for (int i = 0; i < 10; i++) {
      live.add("live1", job.frames.get(i));
    }
    assertTrue(live.find("live1", 4).isEmpty(), "older than the ring: dropped");
    FrameRecord held = live.find("live1", 8).orElseThrow();
    VideoFiles files = new VideoFiles(dir);
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");

    EvidenceStored stored = server.serveLive(request("live1", held, 8), live).orElseThrow()
        .getEvidence();
    assertEquals("", stored.getError());
    RgbImage expected = FaceAligner.cropRgb(FrameImages.toRgb(held),
        FaceAligner.transform(face(held.getWidth(), held.getHeight()).getFace()));
    assertArrayEquals(expected.rgb(),
        RgbImage.read(files.evidenceFile("live1", "s8-f0-crop.png")).rgb());
    assertTrue(Files.isRegularFile(files.evidenceFile("live1", "s8-frame.jpg")));

    FrameRecord gone = job.frames.get(2);
    EvidenceStored late = server.serveLive(request("live1", gone, 2), live).orElseThrow()
        .getEvidence();
    assertTrue(late.getError().contains("no longer held"), late.getError());
    assertTrue(server.serveLive(request("elsewhere", held, 8), live).isEmpty(),
        "another process runs that stream: it answers");
    live.close("live1");
    assertTrue(server.serveLive(request("live1", held, 8), live).isEmpty());
    assertEquals(40, LiveFrames.capacity(0), "20 s at the default 2 samples/s");
    assertEquals(LiveFrames.MAX_FRAMES, LiveFrames.capacity(30));
  }

  @Test
  void shouldRefuseRequestsItCannotServeAndReportAFrameThatIsNotThere(@TempDir Path dir)
      throws Exception {
    Path file = TestMedia.clip(SampleMedia.CAP12_MP4);
    VideoFiles files = new VideoFiles(dir);
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");
    VideoDecoderTest.Collect job = VideoDecoderTest.decode(file, VideoJob.newBuilder());
    FrameRecord f = job.frames.get(3);
    IllegalStateException gone = assertThrows(IllegalStateException.class,
        () -> server.serve(request("v2", f, 3)));
    assertTrue(gone.getMessage().contains("no stored upload"), gone.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> server.serve(request("../etc", f, 3)));
    assertThrows(IllegalArgumentException.class, () -> server.serve(request("v2", f, 3)
        .toBuilder().setCrop(CropRequest.getDefaultInstance()).build()));
    assertThrows(IllegalArgumentException.class,
        () -> server.serve(request("v2", f, 3).toBuilder().clearKind().build()));

    Files.createDirectories(files.upload("v2", "mp4").getParent());
    Files.copy(file, files.upload("v2", "mp4"));
    EvidenceStored late = server.serve(request("v2", f, 3).toBuilder()
        .setPtsUs(3_600_000_000L).build()).orElseThrow().getEvidence();
    assertTrue(late.getError().contains("no frame at 3600"), late.getError());
    assertEquals(0, late.getCropsCount());
    assertEquals(1, files.of("v2").size(), "nothing but the upload was written");
  }

  /** A media store under {@code dir} holding {@code file} as video v1's upload. */
  private static VideoFiles storedAsV1(Path dir, Path file) throws Exception {
    VideoFiles files = new VideoFiles(dir.resolve("media"));
    Files.createDirectories(files.upload("v1", "mp4").getParent());
    Files.copy(file, files.upload("v1", "mp4"));
    return files;
  }

  /** A short clip of franck, one GOP with B-frames: a burst at its very start or end. */
  private static Path shortFranck(Path dir) throws Exception {
    Path out = dir.resolve("short.mp4");
    TestMedia.ffmpeg("-i", TestMedia.clip(SampleMedia.FRANCK_MP4).toString(), "-t", "3", "-an",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-bf", "3", "-g", "250",
        out.toString());
    return out;
  }

  private static EvidenceRequest burstRequest(String id, FrameRecord f, long sample,
      int analysisWidth, int analysisHeight) {
    EvidenceRequest crop = request(id, f, sample);
    // the face box as detect/ would report it on an analysis frame of the given size
    double sx = (double) analysisWidth / f.getWidth();
    double sy = (double) analysisHeight / f.getHeight();
    FaceDetection box = crop.getCrop().getFaces(0).getDetection().getFace();
    Detection d = crop.getCrop().getFaces(0).getDetection().toBuilder().setFace(box.toBuilder()
        .setXMin((float) (box.getXMin() * sx)).setXMax((float) (box.getXMax() * sx))
        .setYMin((float) (box.getYMin() * sy)).setYMax((float) (box.getYMax() * sy))).build();
    return crop.toBuilder().setFrameWidth(analysisWidth).setFrameHeight(analysisHeight)
        .setBurstSr(io.framewatch.proto.BurstSrRequest.newBuilder().setFrames(5)
            .setFile(VideoFiles.enhancedName(sample, 0))
            .setFace(EvidenceFace.newBuilder().setFaceIndex(0).setTrackId(1).setDetection(d)))
        .build();
  }

  /**
   * Checks that each frame of the burst is the region of the source-resolution frame at its
   * time, that the frames are consecutive, and that the reference is the sample's frame.
   */
  private static void assertBurstIsTheRegionOfConsecutiveSourceFrames(Path file,
      io.framewatch.proto.Burst b, long samplePts, int width, int height) throws Exception {
    assertEquals(5, b.getFramesCount());
    assertEquals(samplePts, b.getFrames(b.getReference()).getPtsUs());
    int x = b.getEvidence().getRegionX();
    int y = b.getEvidence().getRegionY();
    int s = b.getEvidence().getRegionSide();
    long step = b.getFrames(1).getPtsUs() - b.getFrames(0).getPtsUs();
    assertTrue(step > 0 && step <= 50_000, "a frame's duration apart: " + step);
    for (int i = 0; i < 5; i++) {
      FrameRecord f = b.getFrames(i);
      if (i > 0) {
        assertEquals(step, f.getPtsUs() - b.getFrames(i - 1).getPtsUs(), 1,
            "consecutive frames (to the microsecond the time base rounds to)");
      }
      assertEquals(s, f.getWidth());
      assertEquals(s, f.getHeight());
      FrameRecord full = FrameSeeker.frameAt(file, f.getPtsUs(), width, height,
          io.framewatch.proto.PixelFormat.BGR24, MAX_PIXELS);
      byte[] want = new byte[3 * s * s];
      for (int r = 0; r < s; r++) {
        full.getData().copyTo(want, 3 * ((y + r) * width + x), 3 * s * r, 3 * s);
      }
      assertArrayEquals(want, f.getData().toByteArray(),
          "frame " + i + " is the region of the source frame at " + f.getPtsUs() + " us");
    }
  }

  @Test
  void shouldCutABurstOfFiveSourceResolutionFramesAroundTheFaceMappedFromTheAnalysisFrame(
      @TempDir Path dir) throws Exception {
    Path file = franckWithBFrames(dir);
    VideoFiles files = storedAsV1(dir, file);
    VideoDecoderTest.Collect job = VideoDecoderTest.decode(file, VideoJob.newBuilder());
    FrameRecord sampled = job.frames.get(7);
    int w = sampled.getSourceWidth();
    int h = sampled.getSourceHeight();
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");

    // judged on an analysis frame of half the source's size: the box doubles in source pixels
    EvidenceRequest r = burstRequest("v1", sampled, 7, w / 2, h / 2);
    EvidenceServer.Served served = server.burstSr(r);
    assertTrue(served.event().isEmpty(), served.toString());
    io.framewatch.proto.Burst b = served.burst().orElseThrow();
    assertEquals(2, b.getReference(), "the sample's frame in the middle");
    FaceDetection box = r.getBurstSr().getFace().getDetection().getFace();
    SrRegion expected = SrRegion.around(box.getXMin(), box.getYMin(), box.getXMax(),
        box.getYMax(), 2, 2, w, h);
    assertEquals(expected.side(), b.getEvidence().getRegionSide());
    assertEquals(expected.x(), b.getEvidence().getRegionX());
    assertEquals(expected.y(), b.getEvidence().getRegionY());
    double boxSide = 2 * Math.max(box.getXMax() - box.getXMin(), box.getYMax() - box.getYMin());
    assertEquals(1.5 * boxSide, b.getEvidence().getRegionSide(), 1.0,
        "1.5 x the face's longer side in source pixels");
    assertEquals("s7-f0-sr.png", b.getEvidence().getFile());
    assertEquals("v1/sr-s7-f0", EvidenceServer.burstKey(b));
    assertBurstIsTheRegionOfConsecutiveSourceFrames(file, b, sampled.getPtsUs(), w, h);
  }

  @Test
  void shouldShiftTheBurstWindowAtTheStartAndTheEndOfTheFile(@TempDir Path dir)
      throws Exception {
    Path file = shortFranck(dir);
    VideoFiles files = storedAsV1(dir, file);
    // every frame sampled (far more per second than the clip has)
    List<FrameRecord> frames = VideoDecoderTest.decode(file, VideoJob.newBuilder()
        .setDetectSampling(io.framewatch.proto.SamplingPolicy.newBuilder()
            .setFramesPerSecond(1000))).frames;
    assertTrue(frames.size() > 20, "every frame sampled: " + frames.size());
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");
    int w = frames.get(0).getSourceWidth();
    int h = frames.get(0).getSourceHeight();
    int[][] cases = {{0, 0}, {1, 1}, {frames.size() - 2, 3}, {frames.size() - 1, 4}};
    for (int[] c : cases) {
      FrameRecord f = frames.get(c[0]);
      io.framewatch.proto.Burst b = server.burstSr(burstRequest("v1", f, c[0], w, h)).burst()
          .orElseThrow();
      assertEquals(c[1], b.getReference(), "sample " + c[0] + " of " + frames.size());
      assertBurstIsTheRegionOfConsecutiveSourceFrames(file, b, f.getPtsUs(), w, h);
    }
  }

  @Test
  void shouldRefuseBurstRequestsItCannotServeAndReportATimeWithNoFrame(@TempDir Path dir)
      throws Exception {
    Path file = shortFranck(dir);
    VideoFiles files = storedAsV1(dir, file);
    FrameRecord f = VideoDecoderTest.decode(file, VideoJob.newBuilder()).frames.get(1);
    EvidenceServer server = new EvidenceServer(files, MAX_PIXELS, "test");
    EvidenceRequest ok = burstRequest("v1", f, 1, f.getWidth(), f.getHeight());

    assertThrows(IllegalStateException.class,
        () -> server.burstSr(ok.toBuilder().setVideoId("gone").build()), "no stored upload");
    assertThrows(IllegalArgumentException.class, () -> server.burstSr(ok.toBuilder()
        .setBurstSr(ok.getBurstSr().toBuilder().setFile("../x.png")).build()), "foreign name");
    assertThrows(IllegalArgumentException.class, () -> server.burstSr(ok.toBuilder()
        .setBurstSr(ok.getBurstSr().toBuilder().setFrames(0)).build()), "no frames");
    assertThrows(IllegalArgumentException.class, () -> server.burstSr(ok.toBuilder()
        .setBurstSr(ok.getBurstSr().toBuilder().clearFace()).build()), "no face");

    EvidenceServer.Served missing = server.burstSr(ok.toBuilder().setPtsUs(f.getPtsUs() + 1)
        .build());
    assertTrue(missing.burst().isEmpty());
    io.framewatch.proto.StoredEnhanced e = missing.event().orElseThrow().getEvidence()
        .getEnhanced();
    assertEquals("s1-f0-sr.png", e.getFile());
    assertTrue(e.getError().startsWith("decode: no frame at"), e.getError());
  }
}
