package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.framewatch.proto.SamplingPolicy;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {

  private static int count(FrameSampler s, double fps, double seconds, int gopFrames) {
    int taken = 0;
    int frames = (int) Math.round(seconds * fps);
    for (int i = 0; i < frames; i++) {
      if (s.take(Math.round(i * 1e6 / fps), i % gopFrames == 0)) {
        taken++;
      }
    }
    return taken;
  }

  @Test
  void shouldTakeOneFramePerHalfSecondSlotByDefault() {
    FrameSampler s = new FrameSampler(SamplingPolicy.getDefaultInstance());
    assertEquals(400, count(s, 24, 200, 48));
    assertEquals(400, new FrameSampler(SamplingPolicy.getDefaultInstance()).estimate(200_000_000));
  }

  @Test
  void shouldHonourRateKeyframesOnlyAndCap() {
    assertEquals(53, count(new FrameSampler(
        SamplingPolicy.newBuilder().setFramesPerSecond(1).build()), 25, 53, 50));
    assertEquals(27, count(new FrameSampler(
        SamplingPolicy.newBuilder().setKeyframesOnly(true).build()), 25, 53, 50));
    assertEquals(10, count(new FrameSampler(
        SamplingPolicy.newBuilder().setMaxFrames(10).build()), 25, 53, 50));
  }

  @Test
  void shouldNotTakeTwoFramesFromOneSlotWhenTimestampsJitter() {
    FrameSampler s = new FrameSampler(SamplingPolicy.getDefaultInstance());
    long[] pts = {0, 40_000, 499_999, 500_000, 510_000, 999_000, 1_000_001};
    boolean[] taken = new boolean[pts.length];
    for (int i = 0; i < pts.length; i++) {
      taken[i] = s.take(pts[i], false);
    }
    assertArrayEquals(new boolean[] {true, false, false, true, false, false, true}, taken);
  }

  @Test
  void shouldRefuseAbsurdRates() {
    assertThrows(IllegalArgumentException.class, () -> new FrameSampler(
        SamplingPolicy.newBuilder().setFramesPerSecond(1e6).build()));
  }

  @Test
  void shouldScaleToAnEvenAnalysisSizeWithoutUpscaling() {
    assertArrayEquals(new int[] {640, 360}, VideoDecoder.analysisSize(1920, 1080, 640));
    assertArrayEquals(new int[] {360, 288}, VideoDecoder.analysisSize(360, 288, 640));
    assertArrayEquals(new int[] {400, 300}, VideoDecoder.analysisSize(401, 301, 640));
  }
}
