package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * A libavcodec decoder for one video stream, fed with packets the grabber demuxes. Decoding here
 * instead of through the grabber's frame API saves JavaCV's per-frame wrapping, which costs 10 %
 * of FFmpeg's own speed on small frames (docs/PERFORMANCE.md). Owns native memory: close it.
 */
final class PacketDecoder implements AutoCloseable {
  /** AVERROR(EAGAIN) on Linux: the decoder wants input before it gives output. */
  private static final int EAGAIN = -11;
  /** AV_FRAME_FLAG_KEY. */
  private static final int FLAG_KEY = 1 << 1;

  /** Receives each decoded frame; the frame is only valid during the call. */
  @FunctionalInterface
  interface FrameSink {
    void accept(AVFrame frame, long ptsUs, boolean keyframe) throws Exception;
  }

  private final AVCodecContext ctx;
  private final AVFrame frame;
  private final double timeBaseUs;
  private final long startPts;
  private final int streamIndex;
  private long errors;
  private long packets;
  private long lastPacketPtsUs;
  private boolean closed;

  PacketDecoder(AVStream stream, Map<String, String> options) throws DecodeException {
    AVFrame f = null;
    AVCodecContext c = null;
    boolean ok = false;
    try {
      f = av_frame_alloc();
      if (f == null || f.isNull()) {
        throw new DecodeException("cannot allocate a frame");
      }
      AVCodec codec = avcodec_find_decoder(stream.codecpar().codec_id());
      if (codec == null) {
        throw new DecodeException("no decoder for the video stream");
      }
      c = avcodec_alloc_context3(codec);
      if (c == null || c.isNull()) {
        throw new DecodeException("cannot allocate the decoder context");
      }
      int r = avcodec_parameters_to_context(c, stream.codecpar());
      if (r < 0) {
        throw new DecodeException("cannot configure the decoder: " + FfmpegErrors.describe(r));
      }
      c.pkt_timebase(stream.time_base());
      AVDictionary opts = new AVDictionary(null);
      try {
        options.forEach((k, v) -> av_dict_set(opts, k, v, 0));
        r = avcodec_open2(c, codec, opts);
      } finally {
        av_dict_free(opts);
      }
      if (r < 0) {
        throw new DecodeException("cannot open the decoder: " + FfmpegErrors.describe(r));
      }
      this.timeBaseUs = av_q2d(stream.time_base()) * 1e6;
      this.startPts = stream.start_time() == AV_NOPTS_VALUE ? 0 : stream.start_time();
      this.streamIndex = stream.index();
      ok = true;
    } finally {
      if (!ok) {
        if (c != null && !c.isNull()) {
          avcodec_free_context(c);
        }
        if (f != null && !f.isNull()) {
          av_frame_free(f);
        }
      }
    }
    this.frame = f;
    this.ctx = c;
  }

  /** Index of the stream this decoder takes packets of. */
  int streamIndex() {
    return streamIndex;
  }

  /** Packets the decoder rejected as damaged (FFmpeg conceals and goes on). */
  long errors() {
    return errors;
  }

  /**
   * Packets the decoder accepted: the source's frames, whether decoded or skipped
   * ({@code skip_frame}).
   */
  long packets() {
    return packets;
  }

  /** Latest presentation time among the packets accepted, decoded or skipped (microseconds). */
  long lastPacketPtsUs() {
    return lastPacketPtsUs;
  }

  /**
   * Reads the grabber's next packet and decodes it if it is of this stream; at the end of the
   * input drains the frames still inside the decoder and returns false.
   *
   * @throws FrameGrabber.Exception when reading fails (the caller says what that means)
   */
  boolean decodeNext(FFmpegFrameGrabber g, FrameSink sink) throws Exception {
    AVPacket pkt = g.grabPacket();
    if (pkt == null) {
      decode(null, sink);
      return false;
    }
    try {
      if (pkt.stream_index() == streamIndex) {
        decode(pkt, sink);
      }
    } finally {
      // the grabber leaves the packet's buffer to the caller; the decoder keeps its own ref
      av_packet_unref(pkt);
    }
    return true;
  }

  /** Decodes one packet of this stream (null flushes at the end) and hands over its frames. */
  void decode(AVPacket packet, FrameSink sink) throws Exception {
    int r = avcodec_send_packet(ctx, packet);
    if (r < 0 && r != EAGAIN && r != AVERROR_EOF()) {
      errors++;
      return;
    }
    if (packet != null && r >= 0) {
      packets++;
      if (packet.pts() != AV_NOPTS_VALUE) {
        lastPacketPtsUs = Math.max(lastPacketPtsUs,
            Math.round((packet.pts() - startPts) * timeBaseUs));
      }
    }
    while (true) {
      r = avcodec_receive_frame(ctx, frame);
      if (r == EAGAIN || r == AVERROR_EOF()) {
        return;
      }
      if (r < 0) {
        errors++;
        return;
      }
      try {
        long ts = frame.best_effort_timestamp();
        long pts = ts == AV_NOPTS_VALUE ? 0 : Math.round((ts - startPts) * timeBaseUs);
        sink.accept(frame, pts, (frame.flags() & FLAG_KEY) != 0);
      } finally {
        av_frame_unref(frame);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    av_frame_free(frame);
    avcodec_free_context(ctx);
  }
}
