package io.framewatch.decode;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;

/** FFmpeg's own words for its error codes (never server paths). */
final class FfmpegErrors {
  private static final Pattern CODE = Pattern.compile("error (-?\\d+)");

  private FfmpegErrors() {}

  /** The text of an AVERROR code. */
  static String describe(int code) {
    byte[] buf = new byte[256];
    if (avutil.av_strerror(code, buf, buf.length) != 0) {
      return "FFmpeg error " + code;
    }
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }

  /** The text of the AVERROR code inside a JavaCV exception message, else the message. */
  static String describe(Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    Matcher code = CODE.matcher(m);
    if (code.find()) {
      return describe(Integer.parseInt(code.group(1)));
    }
    return m.length() > 300 ? m.substring(0, 300) : m;
  }
}
