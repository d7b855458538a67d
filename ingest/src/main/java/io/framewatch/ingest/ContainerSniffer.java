package io.framewatch.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Recognises video containers by their first bytes, so that text files, images and other
 * non-video uploads are refused at the door with a reason instead of occupying a decoder.
 * Whether the content decodes is decided later, by FFmpeg.
 */
public final class ContainerSniffer {
  /** Bytes the sniffer needs to see. */
  public static final int HEAD_BYTES = 512;

  private ContainerSniffer() {}

  /**
   * The container family of a file starting with {@code head}, or empty when it is not one we
   * accept.
   */
  public static Optional<String> detect(byte[] head) {
    int n = head.length;
    if (n >= 12 && is(head, 4, "ftyp")) {
      String brand = ascii(head, 8, 4);
      return Optional.of(brand.startsWith("qt") ? "mov" : "mp4");
    }
    if (n >= 8 && (is(head, 4, "moov") || is(head, 4, "mdat") || is(head, 4, "wide")
        || is(head, 4, "free") || is(head, 4, "skip"))) {
      return Optional.of("mov");
    }
    if (n >= 4 && u(head, 0) == 0x1A && u(head, 1) == 0x45 && u(head, 2) == 0xDF
        && u(head, 3) == 0xA3) {
      return Optional.of(ascii(head, 0, n).contains("webm") ? "webm" : "mkv");
    }
    if (n >= 12 && is(head, 0, "RIFF") && is(head, 8, "AVI ")) {
      return Optional.of("avi");
    }
    if (n >= 3 && is(head, 0, "FLV")) {
      return Optional.of("flv");
    }
    if (n >= 4 && is(head, 0, "OggS")) {
      return Optional.of("ogg");
    }
    if (n >= 4 && u(head, 0) == 0x30 && u(head, 1) == 0x26 && u(head, 2) == 0xB2
        && u(head, 3) == 0x75) {
      return Optional.of("asf");
    }
    if (n >= 4 && u(head, 0) == 0 && u(head, 1) == 0 && u(head, 2) == 1 && u(head, 3) == 0xBA) {
      return Optional.of("mpeg-ps");
    }
    if (n >= 189 && u(head, 0) == 0x47 && u(head, 188) == 0x47) {
      return Optional.of("mpeg-ts");
    }
    if (n >= 5 && u(head, 0) == 0 && u(head, 1) == 0 && (u(head, 2) == 1
        || (u(head, 2) == 0 && u(head, 3) == 1))) {
      return Optional.of("h264-annexb");
    }
    return Optional.empty();
  }

  /** A short human description of what a non-video file looks like, for error messages. */
  public static String describe(byte[] head) {
    if (head.length == 0) {
      return "empty";
    }
    if (head.length >= 3 && u(head, 0) == 0xFF && u(head, 1) == 0xD8) {
      return "a JPEG image";
    }
    if (head.length >= 4 && is(head, 1, "PNG")) {
      return "a PNG image";
    }
    if (head.length >= 4 && is(head, 0, "%PDF")) {
      return "a PDF document";
    }
    int printable = 0;
    for (byte b : head) {
      int c = b & 0xff;
      if (c == 9 || c == 10 || c == 13 || (c >= 32 && c < 127) || c >= 0x80) {
        printable++;
      }
    }
    return printable == head.length ? "text" : "an unknown binary format";
  }

  private static boolean is(byte[] b, int at, String s) {
    return b.length >= at + s.length() && ascii(b, at, s.length()).equals(s);
  }

  private static String ascii(byte[] b, int at, int len) {
    return new String(b, at, Math.min(len, b.length - at), StandardCharsets.ISO_8859_1);
  }

  private static int u(byte[] b, int i) {
    return b[i] & 0xff;
  }
}
