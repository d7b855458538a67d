package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import io.framewatch.proto.PixelFormat;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Converts decoded frames to tight (unpadded) YUV420P or BGR24 at a target size with libswscale.
 * Only sampled frames pass through here: the decoder never converts the frames it skips. One per
 * decode job; owns native memory, so close it.
 */
final class FrameScaler implements AutoCloseable {
  private SwsContext ctx;
  private BytePointer out;
  private long outBytes;
  /** Bytes allocated past the converted frame. */
  private static final long PADDING = 64;
  private final PointerPointer<BytePointer> planes = new PointerPointer<>(4);
  private final IntPointer strides = new IntPointer(4);

  /** A converted frame: tight planes and their strides. */
  record Image(byte[] data, int[] strides) {}

  /** Converts {@code frame} to {@code format} at {@code w} x {@code h}. */
  Image convert(AVFrame frame, PixelFormat format, int w, int h) {
    boolean bgr = format == PixelFormat.BGR24;
    int dstFormat = bgr ? AV_PIX_FMT_BGR24 : AV_PIX_FMT_YUV420P;
    // area averaging when shrinking keeps fine detail honest; bilinear otherwise
    int flags = w < frame.width() ? SWS_AREA : SWS_BILINEAR;
    ctx = sws_getCachedContext(ctx, frame.width(), frame.height(), frame.format(), w, h, dstFormat,
        flags, null, null, (DoublePointer) null);
    if (ctx == null || ctx.isNull()) {
      throw new IllegalStateException("libswscale cannot convert pixel format " + frame.format()
          + " " + frame.width() + "x" + frame.height());
    }
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    int[] s = bgr ? new int[] {3 * w} : new int[] {w, cw, cw};
    long bytes = bgr ? 3L * w * h : (long) w * h + 2L * cw * ch;
    if (out == null || outBytes < bytes) {
      if (out != null) {
        out.close();
      }
      // libswscale's SIMD paths may store a few bytes past a packed row's end: padding keeps
      // that inside the buffer (a BGR24 frame at source size is converted for evidence bursts)
      out = new BytePointer(bytes + PADDING);
      outBytes = bytes;
    }
    planes.put(0, out.getPointer(0));
    if (!bgr) {
      planes.put(1, out.getPointer((long) w * h));
      planes.put(2, out.getPointer((long) w * h + (long) cw * ch));
    }
    for (int i = 0; i < s.length; i++) {
      strides.put(i, s[i]);
    }
    sws_scale(ctx, frame.data(), frame.linesize(), 0, frame.height(), planes, strides);
    byte[] data = new byte[Math.toIntExact(bytes)];
    out.position(0).get(data);
    return new Image(data, s);
  }

  @Override
  public void close() {
    if (ctx != null) {
      sws_freeContext(ctx);
      ctx = null;
    }
    if (out != null) {
      out.close();
    }
    planes.close();
    strides.close();
  }
}
