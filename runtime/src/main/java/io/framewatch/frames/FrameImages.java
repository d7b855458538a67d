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
    yuvToRgb(src, w, h, f.getStrides(0), f.getStrides(1), f.getStrides(2), out);
    return new RgbImage(w, h, out);
  }

  // BT.601 limited range in 8.8 fixed point, as tables: the luma term and each chroma term of
  // each channel looked up once per sample instead of multiplied per pixel
  private static final int[] LUMA = new int[256];
  private static final int[] V_TO_R = new int[256];
  private static final int[] U_TO_G = new int[256];
  private static final int[] V_TO_G = new int[256];
  private static final int[] U_TO_B = new int[256];
  // (value + 128) >> 8 clamped to 0..255, indexed by (value >> 8) + CLAMP_BIAS; values stay
  // within -298*16 - 516*128 .. 298*239 + 516*127 (about -72,800 .. 137,000)
  private static final int CLAMP_BIAS = 320;
  private static final byte[] CLAMP = new byte[CLAMP_BIAS + 1 + 640];

  static {
    for (int i = 0; i < 256; i++) {
      LUMA[i] = 298 * (i - 16) + 128;
      V_TO_R[i] = 409 * (i - 128);
      U_TO_G[i] = -100 * (i - 128);
      V_TO_G[i] = -208 * (i - 128);
      U_TO_B[i] = 516 * (i - 128);
    }
    for (int i = 0; i < CLAMP.length; i++) {
      CLAMP[i] = clamp(i - CLAMP_BIAS);
    }
  }

  /**
   * YUV420P planes packed one after another in {@code src} (Y rows of {@code sy} bytes, then
   * U and V rows of {@code su} and {@code sv}) to interleaved RGB in {@code out}: for each pixel
   * {@code c = 298*(Y-16)}, {@code R = (c + 409*(V-128) + 128) >> 8},
   * {@code G = (c - 100*(U-128) - 208*(V-128) + 128) >> 8},
   * {@code B = (c + 516*(U-128) + 128) >> 8}, each clamped to 0..255; chroma from the 2x2 block.
   */
  static void yuvToRgb(byte[] src, int w, int h, int sy, int su, int sv, byte[] out) {
    int ch = (h + 1) / 2;
    int uOff = sy * h;
    int vOff = uOff + su * ch;
    // the clamp table's bias folded into the chroma terms, which two pixels of a row share
    int bias = CLAMP_BIAS << 8;
    for (int y = 0; y < h; y++) {
      int yRow = y * sy;
      int uRow = uOff + (y >> 1) * su;
      int vRow = vOff + (y >> 1) * sv;
      int d = y * w * 3;
      for (int x = 0; x < w; x += 2) {
        int u = src[uRow + (x >> 1)] & 0xff;
        int v = src[vRow + (x >> 1)] & 0xff;
        int r = V_TO_R[v] + bias;
        int g = U_TO_G[u] + V_TO_G[v] + bias;
        int b = U_TO_B[u] + bias;
        int c = LUMA[src[yRow + x] & 0xff];
        out[d] = CLAMP[(c + r) >> 8];
        out[d + 1] = CLAMP[(c + g) >> 8];
        out[d + 2] = CLAMP[(c + b) >> 8];
        if (x + 1 < w) {
          c = LUMA[src[yRow + x + 1] & 0xff];
          out[d + 3] = CLAMP[(c + r) >> 8];
          out[d + 4] = CLAMP[(c + g) >> 8];
          out[d + 5] = CLAMP[(c + b) >> 8];
        }
        d += 6;
      }
    }
  }

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }
}
