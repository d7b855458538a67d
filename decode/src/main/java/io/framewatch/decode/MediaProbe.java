package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_profile_name;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import io.framewatch.proto.Probe;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;

/**
 * Reads a source's container and stream headers with libavformat, without opening a decoder or
 * allocating a picture, so that absurd frame sizes and unsupported codecs are refused with a reason
 * before anything large is allocated.
 */
final class MediaProbe {
  private MediaProbe() {}

  /** What the probe found, plus what the decoder needs. */
  record Result(Probe probe, String codec, int width, int height, double fps, long bitrate,
      int streamIndex) {}

  /**
   * Probes {@code uri}.
   *
   * @param maxPixels refuse frames with more pixels than this
   * @throws DecodeException with a user-facing reason when the source is unusable
   */
  static Result probe(String uri, Map<String, String> options, long maxPixels)
      throws DecodeException {
    AVFormatContext fmt = new AVFormatContext(null);
    AVDictionary opts = new AVDictionary(null);
    options.forEach((k, v) -> av_dict_set(opts, k, v, 0));
    int r = avformat_open_input(fmt, uri, null, opts);
    av_dict_free(opts);
    if (r < 0) {
      throw new DecodeException("not a readable video: " + FfmpegErrors.describe(r));
    }
    try {
      r = avformat_find_stream_info(fmt, (org.bytedeco.javacpp.PointerPointer<?>) null);
      if (r < 0) {
        throw new DecodeException("not a readable video: " + FfmpegErrors.describe(r));
      }
      return describe(fmt, maxPixels);
    } finally {
      avformat_close_input(fmt);
    }
  }

  /**
   * Describes an opened input (stream info already found) and checks its video stream.
   *
   * @throws DecodeException when it has no usable video stream
   */
  static Result describe(AVFormatContext fmt, long maxPixels) throws DecodeException {
    int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
    if (vs < 0) {
      throw new DecodeException("no video stream in container '" + name(fmt) + "'");
    }
    AVStream st = fmt.streams(vs);
    AVCodecParameters par = st.codecpar();
    String codec = string(avcodec_get_name(par.codec_id()));
    if (avcodec_find_decoder(par.codec_id()) == null) {
      throw new DecodeException("unsupported codec '" + codec + "': no decoder in this build");
    }
    int w = par.width();
    int h = par.height();
    if (w <= 0 || h <= 0) {
      throw new DecodeException("video stream '" + codec + "' declares no frame size");
    }
    if ((long) w * h > maxPixels) {
      throw new DecodeException("frame size " + w + "x" + h + " exceeds the limit of "
          + maxPixels + " pixels");
    }
    double fps = av_q2d(st.avg_frame_rate());
    if (!(fps > 0) || !Double.isFinite(fps)) {
      fps = av_q2d(st.r_frame_rate());
    }
    long duration = fmt.duration() != AV_NOPTS_VALUE && fmt.duration() > 0
        ? fmt.duration() * 1_000_000L / AV_TIME_BASE : 0;
    long bitrate = par.bit_rate() > 0 ? par.bit_rate() : Math.max(0, fmt.bit_rate());
    String profile = string(avcodec_profile_name(par.codec_id(), par.profile()));
    Probe probe = Probe.newBuilder()
        .setContainer(name(fmt))
        .setCodec(codec)
        .setProfile(profile)
        .setWidth(w)
        .setHeight(h)
        .setFps(Double.isFinite(fps) && fps > 0 ? fps : 0)
        .setDurationUs(duration)
        .setBitrate(bitrate)
        .setHasAudio(av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0) >= 0)
        .build();
    return new Result(probe, codec, w, h, probe.getFps(), bitrate, vs);
  }

  private static String name(AVFormatContext fmt) {
    return fmt.iformat() == null ? "" : string(fmt.iformat().name());
  }

  private static String string(BytePointer p) {
    return p == null || p.isNull() ? "" : p.getString();
  }
}
