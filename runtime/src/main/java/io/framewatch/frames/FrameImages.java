package io.framewatch.frames;

import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;

/** Turns frame records into RGB images. */
public final class FrameImages {
  private FrameImages() {}

  /**
   * Converts a frame to RGB. YUV420P uses BT.601 limited range, FFmpeg's default for untagged
   * SD/HD video in swscale.
   *
   * @throws IllegalArgumentException when the record's sizes and strides do not fit its data
   */
  public static RgbImage toRgb(FrameRecord f) {
    int w = f.getWidth();
    int h = f.getHeight();
    if (w <= 0 || h <= 0) {
      throw new IllegalArgumentException("frame has no size: " + w + "x" + h);
    }
    byte[] src = f.getData().toByteArray();
    byte[] out = new byte[w * h * 3];
    if (f.getPixelFormat() == PixelFormat.BGR24) {
      int stride = f.getStrides(0);
      checkSize(src, (long) stride * h, f);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int s = y * stride + x * 3;
          int d = (y * w + x) * 3;
          out[d] = src[s + 2];
          out[d + 1] = src[s + 1];
          out[d + 2] = src[s];
        }
      }
      return new RgbImage(w, h, out);
    }
    if (f.getPixelFormat() != PixelFormat.YUV420P || f.getStridesCount() != 3) {
      throw new IllegalArgumentException("unsupported frame layout " + f.getPixelFormat()
          + " with " + f.getStridesCount() + " strides");
    }
    int sy = f.getStrides(0);
    int su = f.getStrides(1);
    int sv = f.getStrides(2);
    int ch = (h + 1) / 2;
    int uOff = sy * h;
    int vOff = uOff + su * ch;
    checkSize(src, (long) vOff + (long) sv * ch, f);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int yy = (src[y * sy + x] & 0xff) - 16;
        int u = (src[uOff + (y >> 1) * su + (x >> 1)] & 0xff) - 128;
        int v = (src[vOff + (y >> 1) * sv + (x >> 1)] & 0xff) - 128;
        int c = 298 * yy;
        int d = (y * w + x) * 3;
        out[d] = clamp((c + 409 * v + 128) >> 8);
        out[d + 1] = clamp((c - 100 * u - 208 * v + 128) >> 8);
        out[d + 2] = clamp((c + 516 * u + 128) >> 8);
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void checkSize(byte[] src, long need, FrameRecord f) {
    if (src.length < need) {
      throw new IllegalArgumentException("frame " + f.getWidth() + "x" + f.getHeight() + " "
          + f.getPixelFormat() + " needs " + need + " bytes, record has " + src.length);
    }
  }

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }
}
