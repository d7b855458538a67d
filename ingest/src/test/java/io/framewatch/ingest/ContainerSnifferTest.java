package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerSnifferTest {

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void shouldRecogniseCommonVideoContainersByTheirFirstBytes() {
    byte[] mp4 = bytes(0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm');
    byte[] mov = bytes(0, 0, 0, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ');
    byte[] webm = new byte[64];
    System.arraycopy(bytes(0x1A, 0x45, 0xDF, 0xA3), 0, webm, 0, 4);
    System.arraycopy("webm".getBytes(StandardCharsets.US_ASCII), 0, webm, 20, 4);
    byte[] ts = new byte[200];
    ts[0] = 0x47;
    ts[188] = 0x47;
    assertEquals(Optional.of("mp4"), ContainerSniffer.detect(mp4));
    assertEquals(Optional.of("mov"), ContainerSniffer.detect(mov));
    assertEquals(Optional.of("webm"), ContainerSniffer.detect(webm));
    assertEquals(Optional.of("mpeg-ts"), ContainerSniffer.detect(ts));
    assertEquals(Optional.of("avi"),
        ContainerSniffer.detect("RIFF\0\0\0\0AVI LIST".getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void shouldRefuseTextImagesAndEmptyFilesAndSayWhatTheyLookLike() {
    byte[] text = "hello, this is a plain text file\n".getBytes(StandardCharsets.UTF_8);
    byte[] jpeg = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10);
    assertTrue(ContainerSniffer.detect(text).isEmpty());
    assertTrue(ContainerSniffer.detect(jpeg).isEmpty());
    assertTrue(ContainerSniffer.detect(new byte[0]).isEmpty());
    assertEquals("text", ContainerSniffer.describe(text));
    assertEquals("a JPEG image", ContainerSniffer.describe(jpeg));
    assertEquals("empty", ContainerSniffer.describe(new byte[0]));
  }
}
