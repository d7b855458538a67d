package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import com.google.protobuf.ByteString;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes one frame of a stored file again, found by its presentation time: a seek to the
 * keyframe at or before it, then decoding forward to the frame with exactly that timestamp,
 * converted by the {@link FrameScaler} the decode job uses at the size and format the job sent it
 * in. Decoding is deterministic, so the result is the very record the job published for that
 * sample (skip mode only ever sampled frames that decode identically when nothing is skipped).
 */
final class FrameSeeker {
  /** Decoding stops this far past the wanted time without having met it. */
  private static final long OVERSHOOT_US = 2_000_000;

  private FrameSeeker() {}

  /**
   * The frame at {@code ptsUs} (microseconds from the stream's start, as {@link FrameRecord}
   * counts), at {@code width} x {@code height} in {@code format}.
   *
   * @throws DecodeException when the file cannot be opened or sought, or has no frame at that time
   */
  static FrameRecord frameAt(Path file, long ptsUs, int width, int height, PixelFormat format,
      long maxSourcePixels) throws Exception {
    PixelFormat fmt = format == PixelFormat.BGR24 ? PixelFormat.BGR24 : PixelFormat.YUV420P;
    FrameRecord[] found = {null};
    scan(file, ptsUs, 0, maxSourcePixels, (p, scaler, av, pts, key) -> {
      if (pts == ptsUs) {
        FrameScaler.Image img = scaler.convert(av, fmt, width, height);
        FrameRecord.Builder b = FrameRecord.newBuilder().setPtsUs(pts).setSourcePtsUs(pts)
            .setKeyframe(key).setPixelFormat(fmt).setWidth(width).setHeight(height)
            .setData(ByteString.copyFrom(img.data())).setSourceWidth(p.width())
            .setSourceHeight(p.height());
        for (int s : img.strides()) {
          b.addStrides(s);
        }
        found[0] = b.build();
        return true;
      }
      return false;
    });
    if (found[0] == null) {
      throw new DecodeException(String.format(Locale.ROOT,
          "no frame at %.6f s in the stored video", ptsUs / 1e6));
    }
    return found[0];
  }

  /** A burst cut around a face: its frames (BGR24, the region only) and the region. */
  record BurstCut(List<FrameRecord> frames, int reference, SrRegion region, int sourceWidth,
      int sourceHeight) {}

  /**
   * {@code k} consecutive frames of the stored file centred on the frame at {@code ptsUs}, at
   * source resolution (every source pixel: super-resolution needs them, not the analysis
   * frame's), each cut to the {@link SrRegion} around the box given in analysis pixels
   * ({@code analysisWidth} x {@code analysisHeight}). Near the start or the end of the file the
   * window shifts so that it still holds {@code k} frames (the reference is then off-centre);
   * a file of fewer frames gives them all.
   *
   * @throws DecodeException when the file cannot be opened or sought, or has no frame at that time
   */
  static BurstCut burstAround(Path file, long ptsUs, int k, double xMin, double yMin,
      double xMax, double yMax, int analysisWidth, int analysisHeight, long maxSourcePixels)
      throws Exception {
    Deque<FrameRecord> window = new ArrayDeque<>();
    int[] after = {-1}; // frames kept after the reference; -1 until it is found
    SrRegion[] region = {null};
    int[] size = new int[2];
    // a second before: the keyframe there precedes the k / 2 frames before the reference
    scan(file, ptsUs, SEEK_BACK_US, maxSourcePixels, (p, scaler, av, pts, key) -> {
      if (pts > ptsUs && after[0] < 0) {
        return false; // past the reference without meeting it: scan() reports it missing
      }
      if (region[0] == null) {
        size[0] = p.width();
        size[1] = p.height();
        region[0] = SrRegion.around(xMin, yMin, xMax, yMax, (double) p.width() / analysisWidth,
            (double) p.height() / analysisHeight, p.width(), p.height());
      }
      FrameScaler.Image img = scaler.convert(av, PixelFormat.BGR24, p.width(), p.height());
      window.addLast(cut(img.data(), p.width(), region[0], pts, key));
      if (pts == ptsUs) {
        after[0] = 0;
      } else if (after[0] >= 0) {
        after[0]++;
      }
      // before the reference keep k - 1 (the end of the file may shift the window back)
      int keepBefore = k - 1;
      while (window.size() > keepBefore + 1 + Math.max(0, after[0])) {
        window.removeFirst();
      }
      // enough after the reference, and k in all (at the start of the file, more after it)
      return after[0] >= k / 2 && window.size() >= k;
    }, () -> after[0] >= 0);
    if (after[0] < 0) {
      throw new DecodeException(String.format(Locale.ROOT,
          "no frame at %.6f s in the stored video", ptsUs / 1e6));
    }
    List<FrameRecord> all = new ArrayList<>(window);
    int ref = all.size() - 1 - after[0];
    int from = Math.max(0, Math.min(ref - k / 2, all.size() - k));
    List<FrameRecord> frames = all.subList(from, Math.min(all.size(), from + k));
    return new BurstCut(List.copyOf(frames), ref - from, region[0], size[0], size[1]);
  }

  /** The region of a tight BGR24 frame of width {@code w} as its own frame record. */
  private static FrameRecord cut(byte[] bgr, int w, SrRegion r, long pts, boolean key) {
    int s = r.side();
    byte[] out = new byte[3 * s * s];
    for (int row = 0; row < s; row++) {
      System.arraycopy(bgr, 3 * ((r.y() + row) * w + r.x()), out, 3 * s * row, 3 * s);
    }
    return FrameRecord.newBuilder().setPtsUs(pts).setSourcePtsUs(pts).setKeyframe(key)
        .setPixelFormat(PixelFormat.BGR24).setWidth(s).setHeight(s).addStrides(3 * s)
        .setData(ByteString.copyFrom(out)).build();
  }

  /** How far before the wanted time a burst's decoding starts. */
  private static final long SEEK_BACK_US = 1_000_000;

  /** Sees each decoded frame from the seek on; true when it has what it wanted. */
  private interface Visitor {
    boolean visit(MediaProbe.Result probe, FrameScaler scaler, AVFrame frame, long ptsUs,
        boolean keyframe) throws Exception;
  }

  private static void scan(Path file, long ptsUs, long backUs, long maxSourcePixels,
      Visitor visitor) throws Exception {
    scan(file, ptsUs, backUs, maxSourcePixels, visitor, () -> false);
  }

  /**
   * Opens the file, seeks to the keyframe at or before {@code ptsUs - backUs} and decodes forward
   * until the visitor is satisfied, the file ends, or decoding passed {@code ptsUs} by
   * {@link #OVERSHOOT_US} with {@code found} still false.
   */
  private static void scan(Path file, long ptsUs, long backUs, long maxSourcePixels,
      Visitor visitor, java.util.function.BooleanSupplier found) throws Exception {
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toString());
        FrameScaler scaler = new FrameScaler()) {
      g.setImageMode(FrameGrabber.ImageMode.RAW);
      g.setVideoOption("threads", "1");
      g.setVideoOption("max_pixels", Long.toString(maxSourcePixels));
      try {
        g.startUnsafe();
      } catch (FrameGrabber.Exception e) {
        throw new DecodeException("cannot open the stored video: " + FfmpegErrors.describe(e), e);
      }
      MediaProbe.Result p = MediaProbe.describe(g.getFormatContext(), maxSourcePixels);
      AVStream stream = g.getFormatContext().streams(p.streamIndex());
      double timeBaseUs = av_q2d(stream.time_base()) * 1e6;
      long start = stream.start_time() == AV_NOPTS_VALUE ? 0 : stream.start_time();
      // one tick early: the keyframe at or before the frame even when the division rounds up
      long target = start + (long) Math.floor(Math.max(0, ptsUs - backUs) / timeBaseUs) - 1;
      int r = av_seek_frame(g.getFormatContext(), p.streamIndex(), Math.max(start, target),
          AVSEEK_FLAG_BACKWARD);
      if (r < 0) {
        throw new DecodeException(String.format(Locale.ROOT, "cannot seek to %.3f s: %s",
            ptsUs / 1e6, FfmpegErrors.describe(r)));
      }
      boolean[] done = {false};
      Map<String, String> options = Map.of("threads", "1",
          "max_pixels", Long.toString(maxSourcePixels));
      try (PacketDecoder decoder = new PacketDecoder(stream, options)) {
        PacketDecoder.FrameSink sink = (av, pts, key) -> {
          if (done[0]) {
            return;
          }
          if (visitor.visit(p, scaler, av, pts, key)
              || (pts > ptsUs + OVERSHOOT_US && !found.getAsBoolean())) {
            done[0] = true;
          }
        };
        boolean more = true;
        while (more && !done[0]) {
          try {
            more = decoder.decodeNext(g, sink);
          } catch (FrameGrabber.Exception e) {
            throw new DecodeException("reading the stored video failed: "
                + FfmpegErrors.describe(e), e);
          }
        }
      }
    }
  }
}
