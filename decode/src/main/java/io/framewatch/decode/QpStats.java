package io.framewatch.decode;

import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_VIDEO_ENC_PARAMS;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_side_data;

import io.framewatch.proto.CompressionStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVFrameSideData;

/**
 * Per-frame quantiser statistics from FFmpeg's video-encoding-parameters side data (exported by
 * the H.264 and HEVC decoders with {@code export_side_data=venc_params}).
 *
 * <p>The side data is libavutil's {@code AVVideoEncParams}: {@code unsigned nb_blocks} at 0,
 * {@code size_t blocks_offset} at 8, {@code size_t block_size} at 16, {@code int type} at 24,
 * {@code int32 qp} at 28; each {@code AVVideoBlockParams} holds {@code src_x, src_y, w, h} and
 * {@code int32 delta_qp} at 16. The preset has no Java class for it, so it is read by offset.
 */
final class QpStats {
  private QpStats() {}

  /**
   * Area-weighted mean and standard deviation of the block QPs of {@code frame}, or the frame QP
   * when the codec exported no blocks; {@code qp_available} is false without side data.
   */
  static CompressionStats of(AVFrame frame) {
    AVFrameSideData sd = av_frame_get_side_data(frame, AV_FRAME_DATA_VIDEO_ENC_PARAMS);
    if (sd == null || sd.isNull() || sd.size() < 32) {
      return CompressionStats.getDefaultInstance();
    }
    ByteBuffer b = sd.data().capacity(sd.size()).asByteBuffer().order(ByteOrder.nativeOrder());
    long blocks = Integer.toUnsignedLong(b.getInt(0));
    long offset = b.getLong(8);
    long size = b.getLong(16);
    int qp = b.getInt(28);
    if (blocks == 0 || size < 20 || offset + blocks * size > sd.size()) {
      return CompressionStats.newBuilder().setQpAvailable(true).setQpMean(qp).build();
    }
    double area = 0;
    double sum = 0;
    double sumSq = 0;
    for (long i = 0; i < blocks; i++) {
      int at = Math.toIntExact(offset + i * size);
      double a = (double) b.getInt(at + 8) * b.getInt(at + 12);
      double q = qp + b.getInt(at + 16);
      area += a;
      sum += a * q;
      sumSq += a * q * q;
    }
    if (area <= 0) {
      return CompressionStats.newBuilder().setQpAvailable(true).setQpMean(qp).build();
    }
    double mean = sum / area;
    double var = Math.max(0, sumSq / area - mean * mean);
    return CompressionStats.newBuilder().setQpAvailable(true).setQpMean((float) mean)
        .setQpStddev((float) Math.sqrt(var)).build();
  }
}
