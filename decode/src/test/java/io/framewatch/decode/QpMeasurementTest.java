package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.SamplingPolicy;
import io.framewatch.proto.VideoJob;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-frame QP from H.264 side data tells light compression from heavy. */
class QpMeasurementTest {

  private static double meanQp(Path file) throws Exception {
    VideoDecoderTest.Collect out = VideoDecoderTest.decode(file, VideoJob.newBuilder()
        .setDetectSampling(SamplingPolicy.newBuilder().setFramesPerSecond(4)));
    double sum = 0;
    for (FrameRecord f : out.frames) {
      assertTrue(f.getCompression().getQpAvailable(), "H.264 exports QP");
      assertTrue(f.getCompression().getBitsPerPixel() > 0, "bits per pixel estimated");
      sum += f.getCompression().getQpMean();
    }
    double mean = sum / out.frames.size();
    assertTrue(Math.abs(mean - out.last().getEnd().getQpMean()) < 1e-3);
    return mean;
  }

  @Test
  void shouldSeparateCrf18FromCrf40ByMeanQp(@TempDir Path dir) throws Exception {
    Path src = TestMedia.clip(SampleMedia.CAP12_MP4);
    double light = meanQp(TestMedia.reencode(src, 18, 10, dir));
    double heavy = meanQp(TestMedia.reencode(src, 40, 10, dir));
    // x264's CRF sets the quantiser scale: CRF 18 lands near QP 18-22, CRF 40 near 40-44
    assertTrue(light > 12 && light < 26, "CRF 18 mean QP " + light);
    assertTrue(heavy > 34 && heavy < 50, "CRF 40 mean QP " + heavy);
    assertTrue(heavy - light > 15, "CRF 18 " + light + " vs CRF 40 " + heavy);
  }
}
