package io.framewatch.frames;

import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;

/** Turns frame records into RGB images. */
public final class FrameImages {
  /** Longest side a frame record may claim (8K video is 7680 wide). */
  public static final int MAX_SIDE = 8192;

  private FrameImages() {}

  /**
   * Checks that a record's size, layout and strides fit its own bytes, allocating nothing, so a
   * record that claims a huge frame costs nothing.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  public static void check(FrameRecord f) {
    int w = f.getWidth();
    int h = f.getHeight();
    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE) {
      throw new IllegalArgumentException("frame size " + w + "x" + h + " is outside 1.."
          + MAX_SIDE + " per side");
    }
    long need;
    if (f.getPixelFormat() == PixelFormat.BGR24) {
      if (f.getStridesCount() != 1 || f.getStrides(0) < 3 * w) {
        throw new IllegalArgumentException("BGR24 frame " + w + "x" + h + " needs one stride"
            + " >= " + 3 * w + ", record has " + f.getStridesList());
      }
      need = (long) f.getStrides(0) * h;
    } else if (f.getPixelFormat() == PixelFormat.YUV420P && f.getStridesCount() == 3) {
      int cw = (w + 1) / 2;
      int ch = (h + 1) / 2;
      if (f.getStrides(0) < w || f.getStrides(1) < cw || f.getStrides(2) < cw) {
        throw new IllegalArgumentException("YUV420P frame " + w + "x" + h + " needs strides >= "
            + w + "/" + cw + "/" + cw + ", record has " + f.getStridesList());
      }
      need = (long) f.getStrides(0) * h + ((long) f.getStrides(1) + f.getStrides(2)) * ch;
    } else {
      throw new IllegalArgumentException("unsupported frame layout " + f.getPixelFormat()
          + " with " + f.getStridesCount() + " strides");
    }
    if (f.getData().size() < need) {
      throw new IllegalArgumentException("frame " + w + "x" + h + " " + f.getPixelFormat()
          + " needs " + need + " bytes, record has " + f.getData().size());
    }
  }

  /**
   * Converts a frame to RGB. YUV420P uses BT.601 limited range, FFmpeg's default for untagged
   * SD/HD video in swscale.
   *
   * @throws IllegalArgumentException when the record's sizes and strides do not fit its data
   */
  public static RgbImage toRgb(FrameRecord f) {
    check(f);
    int w = f.getWidth();
    int h = f.getHeight();
    byte[] src = f.getData().toByteArray();
    byte[] out = new byte[w * h * 3];
    if (f.getPixelFormat() == PixelFormat.BGR24) {
      int stride = f.getStrides(0);
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
    int sy = f.getStrides(0);
    int su = f.getStrides(1);
    int sv = f.getStrides(2);
    int ch = (h + 1) / 2;
    int uOff = sy * h;
    int vOff = uOff + su * ch;
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

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }
}
