package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.BurstPolicy;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skip mode against full decoding of the same real footage (no broker). */
class DecodeSkipTest {
  private static DecodeConfig config(DecodeSkip skip) {
    return new DecodeConfig(new KafkaSettings("127.0.0.1:9"), "g", 1, 640, 8192L * 8192, 2, 0,
        OutboundGuard.of(null), skip);
  }

  /** franck at its own size with x264's B-frames, as uploads usually come. */
  static Path withBFrames(Path dir) throws Exception {
    Path out = dir.resolve("bframes.mp4");
    TestMedia.ffmpeg("-i", TestMedia.clip(SampleMedia.FRANCK_MP4).toString(), "-t", "40", "-an",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-bf", "3", "-g", "250",
        out.toString());
    return out;
  }

  @Test
  void shouldSkipNonReferenceFramesYetEmitTheSameSamplesAtNearlyTheSameTimes(@TempDir Path dir)
      throws Exception {
    Path file = withBFrames(dir);
    VideoJob.Builder job = VideoJob.newBuilder();
    long t0 = System.nanoTime();
    VideoDecoderTest.Collect full = VideoDecoderTest.decode(file, job, config(DecodeSkip.OFF));
    long t1 = System.nanoTime();
    VideoDecoderTest.Collect skip = VideoDecoderTest.decode(file, job, config(DecodeSkip.AUTO));
    long t2 = System.nanoTime();
    EndOfVideo fullEnd = full.last().getEnd();
    EndOfVideo skipEnd = skip.last().getEnd();
    assertTrue(skip.last().hasEnd(), "skip mode ends normally: " + skip.last());
    System.out.printf(Locale.ROOT, "full %d frames in %.0f ms, skip %d frames in %.0f ms%n",
        fullEnd.getFramesDecoded(), (t1 - t0) / 1e6, skipEnd.getFramesDecoded(),
        (t2 - t1) / 1e6);
    assertTrue(skipEnd.getFramesDecoded() < 0.8 * fullEnd.getFramesDecoded(),
        "non-reference frames are left undecoded: " + skipEnd.getFramesDecoded() + " of "
            + fullEnd.getFramesDecoded());
    assertEquals(full.frames.size(), skip.frames.size(), "one sample per slot in both modes");
    assertEquals(skip.frames.size(), skipEnd.getSamplesExpected());
    double frameUs = 1e6 / full.probe().getFps();
    int identical = 0;
    for (int i = 0; i < skip.frames.size(); i++) {
      FrameRecord a = full.frames.get(i);
      FrameRecord b = skip.frames.get(i);
      assertEquals(i, b.getSampleIndex());
      assertEquals(b.getPtsUs(), b.getSourcePtsUs(), "the timestamp is the frame's own");
      long late = b.getPtsUs() - a.getPtsUs();
      assertTrue(late >= 0 && late <= 4 * frameUs, "sample " + i + " is " + late + " us late");
      if (late == 0) {
        identical++;
        assertEquals(a.getFrameIndex(), b.getFrameIndex(), "sample " + i);
        assertEquals(a.getData(), b.getData(), "a reference frame decodes alike: sample " + i);
      }
    }
    assertTrue(identical > 0, "some slots start with a reference frame");
  }

  @Test
  void shouldDecodeKeyframesOnlyWhenThePolicyTakesOnlyKeyframes(@TempDir Path dir)
      throws Exception {
    Path file = withBFrames(dir);
    VideoJob.Builder job = VideoJob.newBuilder()
        .setDetectSampling(SamplingPolicy.newBuilder().setKeyframesOnly(true));
    VideoDecoderTest.Collect full = VideoDecoderTest.decode(file, job, config(DecodeSkip.OFF));
    VideoDecoderTest.Collect skip = VideoDecoderTest.decode(file, job, config(DecodeSkip.AUTO));
    assertEquals(full.frames.size(), skip.frames.size());
    assertEquals(skip.frames.size(), skip.last().getEnd().getFramesDecoded(),
        "only keyframes were decoded");
    for (int i = 0; i < skip.frames.size(); i++) {
      assertEquals(full.frames.get(i).getPtsUs(), skip.frames.get(i).getPtsUs());
      assertEquals(full.frames.get(i).getData(), skip.frames.get(i).getData());
    }
  }

  @Test
  void shouldDecodeEveryFrameForBurstsDenseSamplingOrWhenOff() {
    VideoJob sparse = VideoJob.getDefaultInstance();
    assertEquals("noref", DecodeSkip.AUTO.skipFrame(sparse, 30));
    assertNull(DecodeSkip.OFF.skipFrame(sparse, 30));
    assertNull(DecodeSkip.AUTO.skipFrame(sparse, 0), "unknown frame rate");
    assertNull(DecodeSkip.AUTO.skipFrame(VideoJob.newBuilder().setDetectSampling(
        SamplingPolicy.newBuilder().setFramesPerSecond(10)).build(), 30));
    assertNull(DecodeSkip.AUTO.skipFrame(VideoJob.newBuilder().setBursts(
        BurstPolicy.newBuilder().setFrames(5).setEverySeconds(2)).build(), 30));
    assertEquals(DecodeSkip.OFF, DecodeSkip.parse(" Off "));
    assertThrows(IllegalArgumentException.class, () -> DecodeSkip.parse("sometimes"));
  }
}
