package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.framewatch.frames.Similarity;
import io.framewatch.proto.ArtifactBox;
import io.framewatch.proto.ArtifactMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoding rule of the artifact map; models/deepfake/test_deepfake.py's ArtifactMapTest pins
 * artifact_map.decode() to the same cases, so the boxes measured there are the boxes served here.
 */
class ArtifactMapsTest {
  private static final Similarity IDENTITY = new Similarity(1, 0, 0, 0);

  private static float[] grid(float[][] hot) {
    float[] cells = new float[49];
    for (float[] h : hot) {
      cells[(int) h[0] * 7 + (int) h[1]] = h[2];
    }
    return cells;
  }

  private static void assertBox(ArtifactBox b, float x0, float y0, float x1, float y1, float s) {
    assertEquals(List.of(x0, y0, x1, y1, s),
        List.of(b.getXMin(), b.getYMin(), b.getXMax(), b.getYMax(), b.getScore()));
  }

  @Test
  void shouldBoxEachConnectedGroupOfHotCellsBestFirst() {
    float[] cells = grid(new float[][] {{2, 3, 0.9f}, {3, 3, 0.8f}, {5, 5, 0.6f}, {0, 0, 0.7f}});
    ArtifactMap m = ArtifactMaps.decode(cells, 7, 7, IDENTITY);
    assertEquals(49, m.getCellsCount());
    assertEquals(3, m.getBoxesCount());
    assertBox(m.getBoxes(0), 96, 64, 128, 128, 0.9f);
    assertBox(m.getBoxes(1), 0, 0, 32, 32, 0.7f);
    assertBox(m.getBoxes(2), 160, 160, 192, 192, 0.6f);
  }

  @Test
  void shouldKeepTheThreeBestGroupsAndJoinOnlyEdgeNeighboursFromTheThresholdUp() {
    // diagonal neighbours are separate groups; 0.5 counts, 0.49 does not
    float[] cells = grid(new float[][] {{0, 0, 0.5f}, {1, 1, 0.6f}, {2, 2, 0.7f}, {3, 3, 0.8f},
        {4, 4, 0.49f}, {3, 4, 0.55f}});
    ArtifactMap m = ArtifactMaps.decode(cells, 7, 7, IDENTITY);
    assertEquals(3, m.getBoxesCount());
    assertBox(m.getBoxes(0), 96, 96, 160, 128, 0.8f);
    assertBox(m.getBoxes(1), 64, 64, 96, 96, 0.7f);
    assertBox(m.getBoxes(2), 32, 32, 64, 64, 0.6f);
    assertEquals(0, ArtifactMaps.decode(new float[49], 7, 7, IDENTITY).getBoxesCount());
  }

  @Test
  void shouldMapBoxesBackToTheFrameThroughTheInverseCropTransform() {
    float[] cells = grid(new float[][] {{2, 3, 0.9f}});
    // frame -> crop: x' = 2x - 100, y' = 2y - 50
    ArtifactBox b = ArtifactMaps.decode(cells, 7, 7, new Similarity(2, 0, -100, -50)).getBoxes(0);
    assertEquals(List.of(98f, 57f, 114f, 73f),
        List.of(b.getFrameXMin(), b.getFrameYMin(), b.getFrameXMax(), b.getFrameYMax()));
    // a crop turned a quarter against the frame: x' = -y, y' = x; the frame box is the box around
    // the turned corners
    ArtifactBox r = ArtifactMaps.decode(cells, 7, 7, new Similarity(0, 1, 0, 0)).getBoxes(0);
    assertEquals(List.of(64f, -128f, 96f, -96f),
        List.of(r.getFrameXMin(), r.getFrameYMin(), r.getFrameXMax(), r.getFrameYMax()), "" + r);
  }

  @Test
  void shouldRefuseAMapOfTheWrongSize() {
    assertThrows(IllegalArgumentException.class,
        () -> ArtifactMaps.decode(new float[48], 7, 7, IDENTITY));
  }
}
