package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import com.google.protobuf.ByteString;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.Failure;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.Probe;
import io.framewatch.proto.Progress;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one job with FFmpeg: probe, then every frame, sampling some into YUV420P
 * {@link FrameRecord}s at analysis resolution, then an end-of-video event with the exact sample
 * count. Bad input ends in a {@link Failure} event, never in an exception to the caller.
 */
public final class VideoDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(VideoDecoder.class);
  private static final long PROGRESS_EVERY_MS = 1000;
  /** A stream that stops before this share of its declared duration is truncated. */
  private static final double TRUNCATION_TOLERANCE = 0.9;

  static {
    // FFmpeg's own messages go to the log (SLF4J), not to stderr; stream dumps and option
    // notices are below ERROR and dropped. Failures reach the user as failure events.
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    org.bytedeco.javacv.FFmpegLogCallback.set();
  }

  private final DecodeConfig cfg;
  private final String worker;

  /**
   * @param cfg stage settings
   * @param worker name reported in events
   */
  public VideoDecoder(DecodeConfig cfg, String worker) {
    this.cfg = cfg;
    this.worker = worker;
  }

  /**
   * Runs the job to its end. Returns normally also when the input is bad: the failure is
   * published as an event. Throws only when publishing itself fails (the job is then redone).
   */
  public void decode(VideoJob job, DecodeOutput out) throws Exception {
    long start = System.currentTimeMillis();
    try {
      run(job, out, start);
    } catch (DecodeException e) {
      LOG.info("video {} failed to decode: {}", job.getVideoId(), e.getMessage());
      out.event(event(job).setFailure(
          Failure.newBuilder().setStage("decode").setReason(e.getMessage())).build());
      out.flush();
    }
  }

  private void run(VideoJob job, DecodeOutput out, long start) throws Exception {
    FrameSampler sampler = new FrameSampler(job.getDetectSampling());
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(job.getSourceUri())) {
      g.setPixelFormat(AV_PIX_FMT_YUV420P);
      try {
        g.start();
      } catch (FrameGrabber.Exception e) {
        throw new DecodeException("not a readable video: " + ffmpegReason(e), e);
      }
      if (g.getVideoStream() < 0 || g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
        throw new DecodeException("no video stream in " + describe(g));
      }
      int sw = g.getImageWidth();
      int sh = g.getImageHeight();
      if ((long) sw * sh > cfg.maxSourcePixels()) {
        throw new DecodeException("frame size " + sw + "x" + sh + " exceeds the limit of "
            + cfg.maxSourcePixels() + " pixels");
      }
      int side = job.getMaxAnalysisSide() > 0 ? job.getMaxAnalysisSide() : cfg.maxAnalysisSide();
      int[] size = analysisSize(sw, sh, side);
      g.setImageWidth(size[0]);
      g.setImageHeight(size[1]);
      Probe probe = probe(g, sampler, sw, sh);
      out.event(event(job).setProbe(probe).build());

      long frames = 0;
      long samples = 0;
      long lastPts = 0;
      long nextProgress = System.currentTimeMillis() + PROGRESS_EVERY_MS;
      while (true) {
        Frame f;
        try {
          f = g.grabImage();
        } catch (FrameGrabber.Exception e) {
          throw new DecodeException("corrupt video at frame " + frames + ": " + ffmpegReason(e), e);
        }
        if (f == null) {
          break;
        }
        long pts = f.timestamp;
        lastPts = Math.max(lastPts, pts);
        if (sampler.take(pts, f.keyFrame)) {
          out.frame(toRecord(job, f, samples, frames, sw, sh));
          samples++;
        }
        frames++;
        if (System.currentTimeMillis() >= nextProgress) {
          nextProgress = System.currentTimeMillis() + PROGRESS_EVERY_MS;
          out.event(event(job).setProgress(Progress.newBuilder().setFramesDecoded(frames)
              .setSamplesEmitted(samples).setPositionUs(pts)).build());
        }
      }
      if (frames == 0) {
        throw new DecodeException("no decodable video frames in " + describe(g));
      }
      long duration = probe.getDurationUs();
      double frameUs = probe.getFps() > 0 ? 1e6 / probe.getFps() : 0;
      if (duration > 0 && lastPts + frameUs < TRUNCATION_TOLERANCE * duration) {
        throw new DecodeException(String.format(
            "truncated or corrupt video: frames stop at %.1f s of a declared %.1f s",
            lastPts / 1e6, duration / 1e6));
      }
      // The count is only announced once every frame is acknowledged, so a FINAL verdict never
      // waits for a frame that was lost on the way.
      out.flush();
      out.event(event(job).setEnd(EndOfVideo.newBuilder().setSamplesExpected(samples)
          .setFramesDecoded(frames).setDecodeMs(System.currentTimeMillis() - start)).build());
      out.flush();
    }
  }

  private static Probe probe(FFmpegFrameGrabber g, FrameSampler sampler, int sw, int sh) {
    long duration = Math.max(0, g.getLengthInTime());
    return Probe.newBuilder()
        .setContainer(nullToEmpty(g.getFormat()))
        .setCodec(nullToEmpty(g.getVideoCodecName()))
        .setWidth(sw)
        .setHeight(sh)
        .setFps(g.getVideoFrameRate())
        .setDurationUs(duration)
        .setBitrate(g.getVideoBitrate())
        .setHasAudio(g.getAudioStream() >= 0)
        .setEstimatedSamples(sampler.estimate(duration))
        .build();
  }

  /** Largest even size with the source's aspect whose longest side is at most {@code side}. */
  static int[] analysisSize(int w, int h, int side) {
    double s = Math.min(1.0, (double) side / Math.max(w, h));
    int tw = Math.max(2, (int) Math.round(w * s) & ~1);
    int th = Math.max(2, (int) Math.round(h * s) & ~1);
    return new int[] {tw, th};
  }

  private FrameRecord toRecord(VideoJob job, Frame f, long sample, long index, int sw, int sh) {
    int w = f.imageWidth;
    int h = f.imageHeight;
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    // JavaCV's YUV420P frames hold the whole I420 picture (rows padded to an aligned stride) but
    // limit() covers only Y, and the grabber reuses the buffer: repack tightly into a new array.
    ByteBuffer buf = ((ByteBuffer) f.image[0]).duplicate();
    int ys = f.imageStride;
    int cs = (buf.capacity() - ys * h) / (2 * ch);
    if (ys < w || cs < cw) {
      throw new IllegalStateException("unexpected YUV420P layout: strides " + ys + "/" + cs
          + " for width " + w + ", buffer " + buf.capacity());
    }
    byte[] data = new byte[w * h + 2 * cw * ch];
    buf.clear();
    int o = 0;
    for (int y = 0; y < h; y++, o += w) {
      buf.get(y * ys, data, o, w);
    }
    int base = ys * h;
    for (int plane = 0; plane < 2; plane++, base += cs * ch) {
      for (int y = 0; y < ch; y++, o += cw) {
        buf.get(base + y * cs, data, o, cw);
      }
    }
    return FrameRecord.newBuilder()
        .setVideoId(job.getVideoId())
        .setSampleIndex(sample)
        .setFrameIndex(index)
        .setPtsUs(f.timestamp)
        .setKeyframe(f.keyFrame)
        .setPixelFormat(PixelFormat.YUV420P)
        .setWidth(w)
        .setHeight(h)
        .addStrides(w).addStrides(cw).addStrides(cw)
        .setData(ByteString.copyFrom(data))
        .setSourceWidth(sw)
        .setSourceHeight(sh)
        .setDecodedAtMs(System.currentTimeMillis())
        .build();
  }

  private VideoEvent.Builder event(VideoJob job) {
    return VideoEvent.newBuilder().setVideoId(job.getVideoId())
        .setAtMs(System.currentTimeMillis()).setWorker(worker);
  }

  private static String describe(FFmpegFrameGrabber g) {
    return "container '" + nullToEmpty(g.getFormat()) + "'";
  }

  private static final java.util.regex.Pattern FFMPEG_CODE =
      java.util.regex.Pattern.compile("error (-?\\d+)");

  /** FFmpeg's own words for the error code in a JavaCV exception (no server paths). */
  static String ffmpegReason(Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    java.util.regex.Matcher code = FFMPEG_CODE.matcher(m);
    if (code.find()) {
      byte[] buf = new byte[256];
      if (avutil.av_strerror(Integer.parseInt(code.group(1)), buf, buf.length) == 0) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
          n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return m.length() > 300 ? m.substring(0, 300) : m;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
