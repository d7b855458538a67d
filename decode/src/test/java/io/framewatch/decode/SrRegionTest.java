package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The square region a super-resolved face is cut from, mapped between frame sizes. */
class SrRegionTest {
  @Test
  void shouldTakeOneAndAHalfTimesTheLongerSideCentredOnTheBox() {
    // a 40x30 box centred at (100, 80) in the same frame
    assertEquals(new SrRegion(70, 50, 60), SrRegion.around(80, 65, 120, 95, 1, 1, 360, 288));
  }

  @Test
  void shouldMapABoxFromTheAnalysisFrameToTheSourceFrame() {
    // analysis 120x96 of a 360x288 source: the box is three times larger in source pixels
    SrRegion r = SrRegion.around(40, 30, 60, 50, 3, 3, 360, 288);
    assertEquals(new SrRegion(105, 75, 90), r);
  }

  @Test
  void shouldMoveTheRegionInsideTheFrameAtItsEdgesWithoutShrinkingIt() {
    assertEquals(new SrRegion(0, 0, 45), SrRegion.around(0, 0, 30, 20, 1, 1, 120, 96));
    assertEquals(new SrRegion(75, 51, 45), SrRegion.around(90, 76, 120, 96, 1, 1, 120, 96));
  }

  @Test
  void shouldShrinkTheRegionOnlyToTheFramesShorterSide() {
    assertEquals(new SrRegion(12, 0, 96), SrRegion.around(0, 0, 120, 96, 1, 1, 120, 96));
  }
}
