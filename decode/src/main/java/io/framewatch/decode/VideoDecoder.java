package io.framewatch.decode;

import com.google.protobuf.ByteString;
import io.framewatch.proto.Burst;
import io.framewatch.proto.CompressionStats;
import io.framewatch.proto.EndOfVideo;
import io.framewatch.proto.Failure;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import io.framewatch.proto.Probe;
import io.framewatch.proto.Progress;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.CancelledWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one job with FFmpeg: probe (headers only, so bad sizes and codecs are refused before
 * anything is allocated), then every frame, converting only the sampled ones into tight
 * {@link FrameRecord}s and bursts, then an end-of-video event with the exact counts. Bad input
 * ends in a {@link Failure} event, never in an exception to the caller. Live sources reconnect with
 * capped exponential backoff until stopped, reporting every drop and reconnect.
 */
public final class VideoDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(VideoDecoder.class);
  private static final long PROGRESS_EVERY_MS = 1000;
  /** A file whose frames stop before this share of its declared duration is truncated. */
  private static final double TRUNCATION_TOLERANCE = 0.9;
  private static final long BACKOFF_START_MS = 500;
  private static final long BACKOFF_CAP_MS = 30_000;
  private static final int INITIAL_TRIES = 3;

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

  /** Decodes a file job to its end (no stop control, never cancelled). */
  public void decode(VideoJob job, DecodeOutput out) throws Exception {
    decode(job, out, JobControl.none());
  }

  /**
   * Runs the job to its end, or until a stop is requested (live streams: they then end with
   * {@code STOPPED} and {@code EndOfVideo}). Returns normally also when the input is bad: the
   * failure is published as an event. When the job is cancelled (shutdown, rebalance) it ends at
   * once with {@link CancelledWork} and publishes nothing final: it is not finished, and the next
   * owner decodes it again. Throws also when publishing fails.
   */
  public void decode(VideoJob job, DecodeOutput out, JobControl control) throws Exception {
    BooleanSupplier cancelled = control::cancelled;
    Job state = new Job(job, out, control);
    try {
      if (job.getLive()) {
        state.runLive();
      } else {
        state.runFile();
      }
    } catch (DecodeException e) {
      if (cancelled.getAsBoolean()) {
        throw new CancelledWork("decode of " + job.getVideoId() + " cancelled");
      }
      LOG.info("video {} failed to decode: {}", job.getVideoId(), e.getMessage());
      out.event(state.event().setFailure(
          Failure.newBuilder().setStage("decode").setReason(e.getMessage())).build());
      out.flush();
    }
  }

  /** Largest even size with the source's aspect whose longest side is at most {@code side}. */
  static int[] analysisSize(int w, int h, int side) {
    double s = side <= 0 ? 1.0 : Math.min(1.0, (double) side / Math.max(w, h));
    int tw = Math.max(2, (int) Math.round(w * s) & ~1);
    int th = Math.max(2, (int) Math.round(h * s) & ~1);
    return new int[] {tw, th};
  }

  /** Everything one job carries across (re)connections. */
  private final class Job {
    final VideoJob job;
    final DecodeOutput out;
    final BooleanSupplier stop;
    final BooleanSupplier cancelled;
    final JobControl control;
    /** Live: wall-clock origin of sample times, the same for every worker that runs the job. */
    final long originMs;
    /** Live: sample indices sent since the last Progress. */
    final List<Long> unreported = new ArrayList<>();
    final long startMs = System.currentTimeMillis();
    final FrameSampler sampler;
    final BurstSampler bursts;
    final PixelFormat format;
    final Map<String, String> options;
    Probe probe;
    /** Frames decoded (in skip mode fewer than the source has). */
    long frames;
    /** Source frames (packets) the decoder accepted, decoded or skipped. */
    long sourceFrames;
    /** Latest timestamp among those frames. */
    long lastSourcePts;
    /** The skip_frame value of the current session; null when every frame is decoded. */
    String skipFrame;
    long samples;
    long burstCount;
    long lastPts;
    long lastFrameWallMs;
    double qpSum;
    long decodeErrors;
    long qpFrames;
    List<FrameRecord> pendingBurst = new ArrayList<>();

    Job(VideoJob job, DecodeOutput out, JobControl control) {
      this.job = job;
      this.out = out;
      this.control = control;
      this.stop = control::stopRequested;
      this.cancelled = control::cancelled;
      this.originMs = job.getSubmittedAtMs() > 0 ? job.getSubmittedAtMs() : startMs;
      this.sampler = new FrameSampler(job.getDetectSampling());
      this.bursts = new BurstSampler(job.getBursts());
      this.format = job.getPixelFormat() == PixelFormat.BGR24 ? PixelFormat.BGR24
          : PixelFormat.YUV420P;
      this.options = SourceOptions.forUri(job.getSourceUri());
    }

    VideoEvent.Builder event() {
      return VideoEvent.newBuilder().setVideoId(job.getVideoId())
          .setAtMs(System.currentTimeMillis()).setWorker(worker);
    }

    /** Stop (user, live only) or cancellation (shutdown, rebalance): leave the decode loop. */
    boolean halted() {
      return cancelled.getAsBoolean() || stop.getAsBoolean();
    }

    /** A cancelled job must not publish a truncated end or a failure: it is redone elsewhere. */
    void checkCancelled() {
      if (cancelled.getAsBoolean()) {
        throw new CancelledWork("decode of " + job.getVideoId() + " cancelled after " + samples
            + " samples; left for redelivery");
      }
    }

    void runFile() throws Exception {
      session();
      checkCancelled();
      if (frames == 0) {
        throw new DecodeException("no decodable video frames in container '"
            + probe.getContainer() + "'");
      }
      long duration = probe.getDurationUs();
      double frameUs = probe.getFps() > 0 ? 1e6 / probe.getFps() : 0;
      // skipped frames are not damage: in skip mode the packets the decoder took count
      long end = skipFrame == null ? lastPts : Math.max(lastPts, lastSourcePts);
      if (duration > 0 && end + frameUs < TRUNCATION_TOLERANCE * duration) {
        throw new DecodeException(String.format(java.util.Locale.ROOT,
            "truncated or corrupt video: frames stop at %.1f s of a declared %.1f s",
            end / 1e6, duration / 1e6));
      }
      long declaredFrames = Math.round(duration / 1e6 * probe.getFps());
      long present = skipFrame == null ? frames : sourceFrames;
      if (declaredFrames > 0 && present < TRUNCATION_TOLERANCE * declaredFrames) {
        // FFmpeg skips what it cannot decode; a file missing a tenth of its frames is damaged
        throw new DecodeException(String.format(java.util.Locale.ROOT,
            "corrupt video: only %d of about %d frames could be decoded (%d damaged packets)",
            present, declaredFrames, decodeErrors));
      }
      finish();
    }

    void runLive() throws Exception {
      // A stream that cannot be opened after a few tries fails the job; once it has played,
      // it is retried until stopped.
      for (int tries = 1; ; tries++) {
        try {
          session();
          break;
        } catch (DecodeException e) {
          if (e instanceof SourceRefusedException || tries >= INITIAL_TRIES
              || sleepUnlessStopped(BACKOFF_START_MS << tries)) {
            throw e;
          }
        }
      }
      int attempt = 0;
      long droppedAt = System.currentTimeMillis();
      String reason = "end of stream";
      while (!halted()) {
        if (attempt == 0) {
          droppedAt = System.currentTimeMillis();
          out.event(event().setStream(StreamEvent.newBuilder().setKind(StreamEvent.Kind.DROPPED)
              .setReason(reason)).build());
        }
        attempt++;
        long wait = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS << Math.min(attempt - 1, 16));
        if (sleepUnlessStopped(wait)) {
          break;
        }
        long framesBefore = frames;
        String failure = null;
        try {
          session();
        } catch (SourceRefusedException e) {
          throw e; // the name now resolves to a refused address: the job ends with the reason
        } catch (DecodeException e) {
          failure = e.getMessage();
          LOG.info("stream {}: attempt {} failed: {}", job.getVideoId(), attempt, failure);
        }
        if (frames > framesBefore) {
          // frames came back: the next end or error is a new drop
          attempt = 0;
        }
        reason = failure != null ? failure : "end of stream";
      }
      checkCancelled();
      out.event(event().setStream(StreamEvent.newBuilder().setKind(StreamEvent.Kind.STOPPED)
          .setReason("stop requested")).build());
      LOG.info("stream {} stopped after {} samples", job.getVideoId(), samples);
      finish();
    }

    /** Waits, checking the stop flag often; true when stopped. */
    private boolean sleepUnlessStopped(long ms) throws InterruptedException {
      long end = System.currentTimeMillis() + ms;
      while (System.currentTimeMillis() < end) {
        if (halted()) {
          return true;
        }
        Thread.sleep(Math.min(100, Math.max(1, end - System.currentTimeMillis())));
      }
      return halted();
    }

    /** One open of the source, decoded until it ends, fails or is stopped. */
    void session() throws Exception {
      String url = job.getSourceUri();
      Map<String, String> opts = options;
      if (SourceOptions.isNetwork(url)) {
        // checked before every open and reopen; plain-text protocols connect to the checked IP
        SourceTarget t = SourceTarget.of(url, options, cfg.guard());
        LOG.debug("video {}: source {} is {} ({}), {}", job.getVideoId(), t.decision().host(),
            t.decision().address().getHostAddress(), t.decision().addressClass().label(),
            t.pinned() ? "connecting to that address" : "checked right before the open (TLS)");
        url = t.url();
        opts = t.options();
      }
      try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(url);
          FrameScaler scaler = new FrameScaler()) {
        opts.forEach(g::setOption);
        // The grabber opens and demuxes; frames are decoded by our own PacketDecoder. RAW keeps the
        // grabber from allocating conversion buffers, and max_pixels makes FFmpeg refuse larger
        // pictures whatever a header claims.
        g.setImageMode(FrameGrabber.ImageMode.RAW);
        g.setVideoOption("threads", "1");
        g.setVideoOption("max_pixels", Long.toString(cfg.maxSourcePixels()));
        try {
          // not start(): it holds one JVM-wide lock for the whole open, so every other stream's
          // connect and probe (up to its timeouts, at the source's real-time pace) queued behind
          // it; FFmpeg itself serialises what is not thread-safe in codec initialisation
          g.startUnsafe();
        } catch (FrameGrabber.Exception e) {
          // say precisely why (unsupported codec, no video stream, absurd size...) from the headers
          MediaProbe.probe(url, opts, cfg.maxSourcePixels());
          throw new DecodeException("not a readable video: " + FfmpegErrors.describe(e), e);
        }
        MediaProbe.Result p = MediaProbe.describe(g.getFormatContext(), cfg.maxSourcePixels());
        boolean reconnect = probe != null;
        if (probe == null && control.takeover().isPresent()) {
          JobControl.Takeover t = control.takeover().get();
          out.event(event().setStream(StreamEvent.newBuilder()
              .setKind(StreamEvent.Kind.RESUMED)
              .setReason("taken over from " + t.worker())
              .setPreviousWorker(t.worker())
              .setGapMs(Math.max(0, System.currentTimeMillis() - t.lastFrameMs()))).build());
          LOG.info("stream {}: taken over from {}", job.getVideoId(), t.worker());
        }
        if (probe == null) {
          probe = p.probe().toBuilder().setEstimatedSamples(job.getLive() ? 0
              : sampler.estimate(p.probe().getDurationUs())).build();
          out.event(event().setProbe(probe).build());
        }
        int side = job.getMaxAnalysisSide() > 0 ? job.getMaxAnalysisSide()
            : cfg.maxAnalysisSide();
        int[] size = analysisSize(p.width(), p.height(), side);
        int[] burstSize = analysisSize(p.width(), p.height(), job.getBursts().getMaxSide());
        float bpp = p.bitrate() > 0 && p.fps() > 0
            ? (float) (p.bitrate() / (p.fps() * p.width() * p.height())) : 0f;
        boolean qp = p.codec().equals("h264") || p.codec().equals("hevc");
        if (reconnect) {
          out.event(event().setStream(StreamEvent.newBuilder()
              .setKind(StreamEvent.Kind.RECONNECTED)
              .setGapMs(System.currentTimeMillis() - lastFrameWallMs)).build());
        }
        Map<String, String> decoderOptions = new java.util.HashMap<>();
        decoderOptions.put("threads", Integer.toString(cfg.decoderThreads()));
        decoderOptions.put("max_pixels", Long.toString(cfg.maxSourcePixels()));
        if (qp) {
          decoderOptions.put("export_side_data", "venc_params");
        }
        skipFrame = cfg.skip().skipFrame(job, p.fps());
        if (skipFrame != null) {
          decoderOptions.put("skip_frame", skipFrame);
          LOG.debug("video {}: skip_frame={} (sampling {} of {} fps)", job.getVideoId(),
              skipFrame, job.getDetectSampling().getFramesPerSecond(), p.fps());
        }
        AVStream stream = g.getFormatContext().streams(p.streamIndex());
        try (PacketDecoder decoder = new PacketDecoder(stream, decoderOptions)) {
          long[] nextProgress = {System.currentTimeMillis() + PROGRESS_EVERY_MS};
          PacketDecoder.FrameSink sink = (av, streamPts, key) -> {
            long now = System.currentTimeMillis();
            lastFrameWallMs = now;
            // Live: the stream's clock restarts on every reconnect, so sampling and frame times
            // follow the wall clock since the job was submitted; a sample's index is its time
            // slot, so a worker that takes the stream over continues the indices without
            // reusing or skipping any.
            long pts = job.getLive() ? (now - originMs) * 1000 : streamPts;
            lastPts = Math.max(lastPts, pts);
            if (job.getLive()) {
              control.liveFrame(now);
            }
            if (sampler.take(pts, key)) {
              CompressionStats cs = qp ? QpStats.of(av) : CompressionStats.getDefaultInstance();
              if (cs.getQpAvailable()) {
                qpSum += cs.getQpMean();
                qpFrames++;
              }
              long index = job.getLive() ? sampler.lastSlot() : samples;
              samples++;
              FrameRecord sampled = record(av, scaler, size, pts, streamPts, key,
                  cs.toBuilder().setBitsPerPixel(bpp).build(), index, p);
              out.frame(sampled);
              if (job.getLive()) {
                unreported.add(index);
                control.liveSample(sampled);
              }
            }
            if (bursts.take(pts)) {
              pendingBurst.add(record(av, scaler, burstSize, pts, streamPts, key,
                  CompressionStats.newBuilder().setBitsPerPixel(bpp).build(), -1, p));
              if (pendingBurst.size() == bursts.frames()) {
                out.burst(Burst.newBuilder().setVideoId(job.getVideoId())
                    .setBurstIndex(burstCount++).setReference(bursts.frames() / 2)
                    .addAllFrames(pendingBurst).build());
                pendingBurst.clear();
              }
            }
            frames++;
            if (now >= nextProgress[0]) {
              nextProgress[0] = now + PROGRESS_EVERY_MS;
              progress(pts);
            }
          };
          boolean more = true;
          while (more && !halted()) {
            try {
              more = decoder.decodeNext(g, sink);
            } catch (FrameGrabber.Exception e) {
              if (job.getLive()) {
                throw new DecodeException("stream read failed: " + FfmpegErrors.describe(e), e);
              }
              throw new DecodeException("corrupt video at frame " + frames + ": "
                  + FfmpegErrors.describe(e), e);
            }
          }
          decodeErrors += decoder.errors();
          sourceFrames += decoder.packets();
          lastSourcePts = Math.max(lastSourcePts, decoder.lastPacketPtsUs());
        }
        // a burst cut by the end or by a reconnect is incomplete: drop it
        pendingBurst.clear();
      }
    }

    /**
     * Publishes progress. Live: only after the frames so far are acknowledged, with their sample
     * indices, so the sink never expects a frame that was lost with a dying worker.
     */
    void progress(long pts) throws Exception {
      Progress.Builder b = Progress.newBuilder().setFramesDecoded(frames)
          .setSamplesEmitted(samples).setPositionUs(pts);
      if (job.getLive()) {
        out.flush();
        b.addAllAckedSamples(unreported);
        unreported.clear();
      }
      out.event(event().setProgress(b).build());
    }

    private FrameRecord record(AVFrame av, FrameScaler scaler, int[] size, long pts,
        long streamPts, boolean key, CompressionStats cs, long sample, MediaProbe.Result p) {
      FrameScaler.Image img = scaler.convert(av, format, size[0], size[1]);
      // in skip mode the index is the source frame's position, from its timestamp
      long index = skipFrame == null || job.getLive() || p.fps() <= 0 ? frames
          : Math.round(streamPts / 1e6 * p.fps());
      FrameRecord.Builder b = FrameRecord.newBuilder()
          .setVideoId(job.getVideoId())
          .setFrameIndex(index)
          .setPtsUs(pts)
          .setSourcePtsUs(streamPts)
          .setKeyframe(key)
          .setPixelFormat(format)
          .setWidth(size[0])
          .setHeight(size[1])
          .setData(ByteString.copyFrom(img.data()))
          .setSourceWidth(p.width())
          .setSourceHeight(p.height())
          .setCompression(cs)
          .setDecodedAtMs(System.currentTimeMillis());
      for (int s : img.strides()) {
        b.addStrides(s);
      }
      if (sample >= 0) {
        b.setSampleIndex(sample);
      }
      return b.build();
    }

    /**
     * The counts are only announced once every frame is acknowledged, so a FINAL verdict never
     * waits for a frame that was lost on the way.
     */
    void finish() throws Exception {
      out.flush();
      EndOfVideo.Builder end = EndOfVideo.newBuilder().setSamplesExpected(samples)
          .setFramesDecoded(frames).setDecodeMs(System.currentTimeMillis() - startMs)
          .setBurstsExpected(burstCount);
      if (job.getLive()) {
        end.setLive(true).addAllAckedSamples(unreported);
        unreported.clear();
      }
      if (qpFrames > 0) {
        end.setQpMean(qpSum / qpFrames);
      }
      out.event(event().setEnd(end).build());
      out.flush();
    }
  }
}
