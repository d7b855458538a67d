package io.framewatch.enhance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.EvidenceTarget;
import io.framewatch.proto.StoredEnhanced;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.VideoFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** enhance's writer of super-resolved evidence: a lossless PNG under the video's evidence. */
class EnhancedEvidenceTest {
  /** A 6x6 enhanced frame whose every byte differs, for video v1's sample 4 face 1. */
  private static EnhancedFrame frame(String file) {
    byte[] bgr = new byte[3 * 6 * 6];
    for (int i = 0; i < bgr.length; i++) {
      bgr[i] = (byte) (i * 7);
    }
    return EnhancedFrame.newBuilder().setVideoId("v1").setModelId("burstnc-x3").setScale(3)
        .setFramesUsed(5).setWidth(6).setHeight(6).setBgr(ByteString.copyFrom(bgr))
        .setEvidence(EvidenceTarget.newBuilder().setSampleIndex(4).setPtsUs(2_000_000)
            .setFaceIndex(1).setTrackId(2).setFile(file).setRegionSide(2))
        .build();
  }

  private static VideoFiles withUpload(Path dir) throws Exception {
    VideoFiles files = new VideoFiles(dir);
    Files.createDirectories(files.upload("v1", "mp4").getParent());
    Files.writeString(files.upload("v1", "mp4"), "stored");
    return files;
  }

  @Test
  void shouldWriteTheEnhancedFrameAsALosslessPngAndReportIt(@TempDir Path dir) throws Exception {
    VideoFiles files = withUpload(dir);
    EnhancedFrame e = frame("s4-f1-sr.png");
    VideoEvent event = EnhancedEvidence.write(files, e).orElseThrow();
    Path png = files.evidenceFile("v1", "s4-f1-sr.png");
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(6, img.getWidth());
    assertEquals(6, img.getHeight());
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 6; x++) {
        int i = 3 * (y * 6 + x);
        byte[] b = e.getBgr().toByteArray();
        int rgb = ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
        assertEquals(rgb, img.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
      }
    }
    assertEquals(4, event.getEvidence().getSampleIndex());
    StoredEnhanced s = event.getEvidence().getEnhanced();
    assertEquals("s4-f1-sr.png", s.getFile());
    assertEquals(Files.size(png), s.getBytes());
    assertEquals(6, s.getSide());
    assertEquals(1, s.getFaceIndex());
    assertEquals(2, s.getTrackId());
    assertEquals("", s.getError());
    try (var list = Files.list(png.getParent())) {
      assertArrayEquals(new Object[] {png}, list.toArray(), "no temporary file left");
    }
  }

  @Test
  void shouldWriteNothingForADeletedVideoAndRefuseAForeignName(@TempDir Path dir)
      throws Exception {
    VideoFiles files = new VideoFiles(dir);
    assertEquals(Optional.empty(), EnhancedEvidence.write(files, frame("s4-f1-sr.png")));
    assertFalse(Files.exists(files.evidence("v1")), "a deleted video gets no files");
    VideoFiles stored = withUpload(dir);
    assertThrows(IllegalArgumentException.class,
        () -> EnhancedEvidence.write(stored, frame("../../videos/v1.mp4")));
    assertThrows(IllegalArgumentException.class,
        () -> EnhancedEvidence.write(stored, frame("s4-f0-sr.png")), "another face's name");
    assertThrows(IllegalArgumentException.class, () -> EnhancedEvidence.write(stored,
        frame("s4-f1-sr.png").toBuilder().setWidth(7).build()), "bytes that are not WxHx3");
  }

  @Test
  void shouldSayWhyThereIsNoCropWhenNoModelIsConfigured() {
    VideoEvent e = EnhancedEvidence.unavailable(io.framewatch.proto.Burst.newBuilder()
        .setVideoId("v1").setEvidence(frame("s4-f1-sr.png").getEvidence()).build(), "no model");
    assertEquals("no model", e.getEvidence().getEnhanced().getError());
    assertTrue(e.getEvidence().getEnhanced().getFile().endsWith("-sr.png"));
  }
}
