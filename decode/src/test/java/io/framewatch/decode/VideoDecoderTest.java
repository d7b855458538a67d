package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.topic.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real FFmpeg on real clips, collected in memory (no broker). */
class VideoDecoderTest {
  private static final DecodeConfig CFG =
      new DecodeConfig(new KafkaSettings("127.0.0.1:9"), "g", 1, 640, 8192L * 8192, 0, 0);

  static final class Collect implements DecodeOutput {
    final List<VideoEvent> events = new ArrayList<>();
    final List<FrameRecord> frames = new ArrayList<>();
    final List<io.framewatch.proto.Burst> bursts = new ArrayList<>();

    @Override
    public void event(VideoEvent e) {
      events.add(e);
    }

    @Override
    public void frame(FrameRecord f) {
      frames.add(f);
    }

    @Override
    public void burst(io.framewatch.proto.Burst b) {
      bursts.add(b);
    }

    @Override
    public void flush() {}
  }

  private static Collect decode(Path file, SamplingPolicy policy) throws Exception {
    Collect out = new Collect();
    new VideoDecoder(CFG, "test").decode(VideoJob.newBuilder().setVideoId("v")
        .setSourceUri(file.toString()).setDetectSampling(policy).build(), out);
    return out;
  }

  @Test
  void shouldProbeAndSampleCap12AtTwoFramesPerSecond() throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    Collect out = decode(clip, SamplingPolicy.getDefaultInstance());
    VideoEvent probe = out.events.get(0);
    assertTrue(probe.hasProbe(), "first event is the probe: " + probe);
    assertEquals(400, probe.getProbe().getWidth());
    assertEquals(300, probe.getProbe().getHeight());
    assertEquals("h264", probe.getProbe().getCodec());
    assertEquals(25.0, probe.getProbe().getFps(), 0.01);
    VideoEvent end = out.events.get(out.events.size() - 1);
    assertTrue(end.hasEnd(), "last event is end-of-video: " + end);
    assertEquals(out.frames.size(), end.getEnd().getSamplesExpected());
    System.out.println("probe " + probe.getProbe() + " end " + end.getEnd());
    FrameRecord f = out.frames.get(0);
    assertEquals(400, f.getWidth());
    assertEquals(400 * 300 * 3 / 2, f.getData().size());
    for (int i = 0; i < out.frames.size(); i++) {
      assertEquals(i, out.frames.get(i).getSampleIndex());
      // the i-th sample lies in the i-th half-second of media time
      assertEquals(i, out.frames.get(i).getPtsUs() * 2 / 1_000_000);
    }
  }

  @Test
  void shouldReportAFailureForAFileThatIsNotAVideo(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(100));
    Collect out = decode(text, SamplingPolicy.getDefaultInstance());
    assertEquals(1, out.events.size());
    assertTrue(out.events.get(0).hasFailure());
    System.out.println(out.events.get(0).getFailure().getReason());
  }

  @Test
  void shouldReportATruncatedMp4AsFailed(@TempDir Path dir) throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    byte[] all = Files.readAllBytes(clip);
    Path cut = Files.write(dir.resolve("cut.mp4"), java.util.Arrays.copyOf(all, all.length / 2));
    Collect out = decode(cut, SamplingPolicy.getDefaultInstance());
    VideoEvent last = out.events.get(out.events.size() - 1);
    assertTrue(last.hasFailure(), "last event " + last);
    System.out.println(last.getFailure().getReason());
  }
}
