package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import com.google.protobuf.ByteString;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.avformat.AVStream;
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
      long target = start + (long) Math.floor(ptsUs / timeBaseUs) - 1;
      int r = av_seek_frame(g.getFormatContext(), p.streamIndex(), Math.max(start, target),
          AVSEEK_FLAG_BACKWARD);
      if (r < 0) {
        throw new DecodeException(String.format(Locale.ROOT, "cannot seek to %.3f s: %s",
            ptsUs / 1e6, FfmpegErrors.describe(r)));
      }
      FrameRecord[] found = {null};
      boolean[] passed = {false};
      Map<String, String> options = Map.of("threads", "1",
          "max_pixels", Long.toString(maxSourcePixels));
      try (PacketDecoder decoder = new PacketDecoder(stream, options)) {
        PacketDecoder.FrameSink sink = (av, pts, key) -> {
          if (found[0] == null && pts == ptsUs) {
            FrameScaler.Image img = scaler.convert(av, fmt, width, height);
            FrameRecord.Builder b = FrameRecord.newBuilder().setPtsUs(pts).setSourcePtsUs(pts)
                .setKeyframe(key).setPixelFormat(fmt).setWidth(width).setHeight(height)
                .setData(ByteString.copyFrom(img.data())).setSourceWidth(p.width())
                .setSourceHeight(p.height());
            for (int s : img.strides()) {
              b.addStrides(s);
            }
            found[0] = b.build();
          } else if (pts > ptsUs + OVERSHOOT_US) {
            passed[0] = true;
          }
        };
        boolean more = true;
        while (more && found[0] == null && !passed[0]) {
          try {
            more = decoder.decodeNext(g, sink);
          } catch (FrameGrabber.Exception e) {
            throw new DecodeException("reading the stored video failed: "
                + FfmpegErrors.describe(e), e);
          }
        }
      }
      if (found[0] == null) {
        throw new DecodeException(String.format(Locale.ROOT,
            "no frame at %.6f s in the stored video", ptsUs / 1e6));
      }
      return found[0];
    }
  }
}
