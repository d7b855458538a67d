package io.framewatch.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.framewatch.proto.ArtifactBox;
import io.framewatch.proto.ArtifactMap;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArtifactOverlayTest {
  private static RgbImage grey(int side) {
    byte[] rgb = new byte[side * side * 3];
    Arrays.fill(rgb, (byte) 100);
    return new RgbImage(side, side, rgb);
  }

  /** A 7x7 map with one hot cell (row 2, col 3: crop pixels x 96-128, y 64-96) boxed. */
  private static ArtifactMap oneHotCell() {
    ArtifactMap.Builder m = ArtifactMap.newBuilder().setRows(7).setCols(7);
    for (int i = 0; i < 49; i++) {
      m.addCells(i == 2 * 7 + 3 ? 1f : 0f);
    }
    return m.addBoxes(ArtifactBox.newBuilder().setXMin(96).setYMin(64).setXMax(128).setYMax(96)
        .setScore(1f)).build();
  }

  private static int[] px(RgbImage img, int x, int y) {
    int o = (y * img.width() + x) * 3;
    return new int[] {img.rgb()[o] & 0xff, img.rgb()[o + 1] & 0xff, img.rgb()[o + 2] & 0xff};
  }

  @Test
  void shouldTintHotCellsRedOutlineTheirBoxAndLeaveColdCellsAndTheInputAlone() {
    RgbImage crop = grey(224);
    RgbImage out = ArtifactOverlay.draw(crop, oneHotCell());
    // inside the hot cell, away from the outline: half red over grey
    assertArrayEquals(new int[] {178, 50, 50}, px(out, 112, 80));
    // on the box outline: yellow
    assertArrayEquals(new int[] {255, 230, 0}, px(out, 96, 80));
    assertArrayEquals(new int[] {255, 230, 0}, px(out, 127, 95));
    // a cold cell and the pixel just outside the box are untouched
    assertArrayEquals(new int[] {100, 100, 100}, px(out, 20, 200));
    assertArrayEquals(new int[] {100, 100, 100}, px(out, 95, 80));
    // the crop passed in is not changed
    assertArrayEquals(new int[] {100, 100, 100}, px(crop, 112, 80));
  }

  @Test
  void shouldDrawAtScaleOnACropOfAnotherSize() {
    RgbImage out = ArtifactOverlay.draw(grey(448), oneHotCell());
    assertEquals(448, out.width());
    assertArrayEquals(new int[] {178, 50, 50}, px(out, 224, 160));
    assertArrayEquals(new int[] {255, 230, 0}, px(out, 193, 160)); // 4-px line at 2x
    assertArrayEquals(new int[] {100, 100, 100}, px(out, 191, 160));
  }

  @Test
  void shouldReturnTheCropUnchangedForAnEmptyMap() {
    RgbImage crop = grey(224);
    RgbImage out = ArtifactOverlay.draw(crop, ArtifactMap.getDefaultInstance());
    assertArrayEquals(crop.rgb(), out.rgb());
  }
}
