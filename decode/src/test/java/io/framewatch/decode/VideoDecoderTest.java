package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.Burst;
import io.framewatch.proto.BurstPolicy;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.Probe;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real FFmpeg on real clips, collected in memory (no broker). */
class VideoDecoderTest {
  static DecodeConfig config(long maxPixels) {
    // the live tests serve their streams on loopback
    return new DecodeConfig(new KafkaSettings("127.0.0.1:9"), "g", 1, 640, maxPixels, 2, 0,
        io.framewatch.runtime.OutboundGuard.of("127.0.0.0/8"));
  }

  static final class Collect implements DecodeOutput {
    final List<VideoEvent> events = new ArrayList<>();
    final List<FrameRecord> frames = new ArrayList<>();
    final List<Burst> bursts = new ArrayList<>();

    @Override
    public synchronized void event(VideoEvent e) {
      events.add(e);
    }

    @Override
    public synchronized void frame(FrameRecord f) {
      frames.add(f);
    }

    @Override
    public synchronized void burst(Burst b) {
      bursts.add(b);
    }

    @Override
    public void flush() {}

    synchronized VideoEvent last() {
      return events.get(events.size() - 1);
    }

    synchronized Probe probe() {
      return events.stream().filter(VideoEvent::hasProbe).findFirst().orElseThrow().getProbe();
    }
  }

  static Collect decode(Path file, VideoJob.Builder job) throws Exception {
    return decode(file, job, config(8192L * 8192));
  }

  static Collect decode(Path file, VideoJob.Builder job, DecodeConfig cfg) throws Exception {
    Collect out = new Collect();
    new VideoDecoder(cfg, "test").decode(job.setVideoId("v").setSourceUri(file.toString()).build(),
        out);
    return out;
  }

  /** Every frame's timestamp and keyframe flag, read with a plain grabber (independent path). */
  static List<long[]> timestamps(Path file) throws Exception {
    List<long[]> out = new ArrayList<>();
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toString())) {
      g.setImageMode(FrameGrabber.ImageMode.RAW);
      g.start();
      Frame f;
      while ((f = g.grabFrame(false, true, true, false, false)) != null) {
        out.add(new long[] {f.timestamp, f.keyFrame ? 1 : 0});
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "FRANCK_MP4, h264, 360, 288, 24, 200.0, 400",
      "CAP12_MP4, h264, 400, 300, 25, 53.5, 107",
      "FRANCK_WEBM, vp8, 360, 288, 25, 200.0, 400",
      "CAP12_WEBM, vp8, 400, 300, 25, 53.5, 107"})
  void shouldProbeRealClipsAndSampleExactlyTwoFramesPerSecondOfMediaTime(SampleMedia clip,
      String codec, int width, int height, double fps, double seconds, long samples)
      throws Exception {
    Path file = TestMedia.clip(clip);
    Collect out = decode(file, VideoJob.newBuilder());
    assertTrue(out.events.get(0).hasProbe(), "the probe comes before any frame");
    Probe p = out.probe();
    assertEquals(codec, p.getCodec());
    assertEquals(width, p.getWidth());
    assertEquals(height, p.getHeight());
    assertEquals(fps, p.getFps(), 0.05);
    assertEquals(seconds, p.getDurationUs() / 1e6, 0.6);
    VideoEvent end = out.last();
    assertTrue(end.hasEnd(), "last event is end-of-video: " + end);
    // the policy's count, computed independently from every frame's timestamp
    Set<Long> slots = new HashSet<>();
    for (long[] t : timestamps(file)) {
      slots.add(Math.max(0, t[0]) * 2 / 1_000_000);
    }
    assertEquals(slots.size(), out.frames.size());
    assertEquals(samples, out.frames.size(), 1);
    assertEquals(out.frames.size(), end.getEnd().getSamplesExpected());
    FrameRecord f = out.frames.get(0);
    assertEquals(PixelFormat.YUV420P, f.getPixelFormat());
    assertEquals(width * height * 3 / 2, f.getData().size());
    assertEquals(List.of(width, width / 2, width / 2), f.getStridesList());
    for (int i = 0; i < out.frames.size(); i++) {
      assertEquals(i, out.frames.get(i).getSampleIndex());
    }
  }

  @Test
  void shouldTakeOnlyKeyframesOrStopAtTheCapWhenThePolicySaysSo() throws Exception {
    Path file = TestMedia.clip(SampleMedia.CAP12_MP4);
    long keyframes = timestamps(file).stream().filter(t -> t[1] == 1).count();
    Collect keys = decode(file, VideoJob.newBuilder().setDetectSampling(
        SamplingPolicy.newBuilder().setKeyframesOnly(true)));
    assertEquals(keyframes, keys.frames.size());
    assertTrue(keys.frames.stream().allMatch(FrameRecord::getKeyframe));
    Collect capped = decode(file, VideoJob.newBuilder().setDetectSampling(
        SamplingPolicy.newBuilder().setFramesPerSecond(5).setMaxFrames(12)));
    assertEquals(12, capped.frames.size());
    assertEquals(12, capped.last().getEnd().getSamplesExpected());
  }

  @Test
  void shouldSendBurstsOfConsecutiveFramesEveryTSeconds() throws Exception {
    Path file = TestMedia.clip(SampleMedia.CAP12_MP4);
    Collect out = decode(file, VideoJob.newBuilder().setBursts(
        BurstPolicy.newBuilder().setFrames(5).setEverySeconds(10).setMaxSide(200)));
    // bursts start at 0, 10, 20, 30, 40 and 50 s of a 53.5 s clip
    assertEquals(6, out.bursts.size());
    assertEquals(6, out.last().getEnd().getBurstsExpected());
    for (int b = 0; b < out.bursts.size(); b++) {
      Burst burst = out.bursts.get(b);
      assertEquals(b, burst.getBurstIndex());
      assertEquals(5, burst.getFramesCount());
      assertEquals(2, burst.getReference());
      long first = burst.getFrames(0).getFrameIndex();
      for (int i = 0; i < 5; i++) {
        assertEquals(first + i, burst.getFrames(i).getFrameIndex(), "consecutive frames");
        assertEquals(200, burst.getFrames(i).getWidth());
      }
      assertEquals(b * 10.0, burst.getFrames(0).getPtsUs() / 1e6, 0.05);
    }
  }

  @Test
  void shouldCarryBgr24FramesWhenAsked() throws Exception {
    Collect out = decode(TestMedia.clip(SampleMedia.CAP12_MP4), VideoJob.newBuilder()
        .setPixelFormat(PixelFormat.BGR24).setMaxAnalysisSide(200)
        .setDetectSampling(SamplingPolicy.newBuilder().setMaxFrames(1)));
    FrameRecord f = out.frames.get(0);
    assertEquals(PixelFormat.BGR24, f.getPixelFormat());
    assertEquals(200, f.getWidth());
    assertEquals(150, f.getHeight());
    assertEquals(List.of(600), f.getStridesList());
    assertEquals(200 * 150 * 3, f.getData().size());
  }

  @Test
  void shouldRefuseFramesLargerThanTheLimitBeforeDecoding() throws Exception {
    Collect out = decode(TestMedia.clip(SampleMedia.CAP12_MP4), VideoJob.newBuilder(),
        config(100 * 100));
    assertTrue(out.frames.isEmpty());
    assertEquals("frame size 400x300 exceeds the limit of 10000 pixels",
        out.last().getFailure().getReason());
  }

  @Test
  void shouldReportAFailureForAFileThatIsNotAVideo(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(100));
    Collect out = decode(text, VideoJob.newBuilder());
    assertEquals(1, out.events.size());
    assertEquals("not a readable video: Invalid data found when processing input",
        out.last().getFailure().getReason());
  }

  @Test
  void shouldReportAnEmptyFileAsFailed(@TempDir Path dir) throws Exception {
    Collect out = decode(Files.write(dir.resolve("empty.mp4"), new byte[0]), VideoJob.newBuilder());
    assertTrue(out.last().hasFailure());
    assertTrue(out.last().getFailure().getReason().startsWith("not a readable video"),
        out.last().getFailure().getReason());
  }

  @Test
  void shouldReportATruncatedMp4AsFailed(@TempDir Path dir) throws Exception {
    byte[] all = Files.readAllBytes(TestMedia.clip(SampleMedia.CAP12_MP4));
    Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(all, all.length / 2));
    Collect out = decode(cut, VideoJob.newBuilder());
    assertTrue(out.last().getFailure().getReason().startsWith("truncated or corrupt video"),
        out.last().toString());
  }

  @Test
  void shouldNameAnUnsupportedCodec(@TempDir Path dir) throws Exception {
    Path avi = TestMedia.unsupportedCodec(TestMedia.clip(SampleMedia.CAP12_MP4), dir);
    Collect out = decode(avi, VideoJob.newBuilder());
    assertTrue(out.frames.isEmpty());
    assertEquals("unsupported codec 'none': no decoder in this build",
        out.last().getFailure().getReason());
  }

  @Test
  void shouldDecodeByContentWhateverTheExtensionSays(@TempDir Path dir) throws Exception {
    Path webmAsMp4 = Files.copy(TestMedia.clip(SampleMedia.CAP12_WEBM), dir.resolve("clip.mp4"));
    Collect out = decode(webmAsMp4, VideoJob.newBuilder());
    assertEquals("vp8", out.probe().getCodec());
    assertTrue(out.last().hasEnd());
  }

  @Test
  void shouldReportCorruptionInTheMiddleAsAFailure(@TempDir Path dir) throws Exception {
    byte[] d = Files.readAllBytes(TestMedia.clip(SampleMedia.CAP12_MP4));
    // overwrite 40 % of the file in the middle (the media data, the index is at the end) with
    // a repeating pattern, as a disk or transfer error would
    for (int i = (int) (d.length * 0.3); i < (int) (d.length * 0.7); i++) {
      d[i] = (byte) (i * 31);
    }
    Collect out = decode(Files.write(dir.resolve("corrupt.mp4"), d), VideoJob.newBuilder());
    String reason = out.last().getFailure().getReason();
    assertTrue(reason.matches(
        "corrupt video: only \\d+ of about 1337 frames could be decoded \\(\\d+ damaged packets\\)"),
        reason);
  }
}
