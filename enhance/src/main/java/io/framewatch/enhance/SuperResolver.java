package io.framewatch.enhance;

import com.google.protobuf.ByteString;
import io.framewatch.frames.FrameImages;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.InferenceBackend;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.Tensor;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.FrameRecord;
import io.framewatch.topic.Topics;

/**
 * One super-resolution model applied to bursts: a burst model (input [N, K, 3, H, W]) gets the
 * whole burst with the reference in the middle, a single-frame model (input [N, 3, H, W]) the
 * reference frame; both take RGB 0-255 and give RGB 0-255 at scale x the size. The result is the
 * reference frame enhanced, as tight BGR24. Not thread-safe: one per worker thread.
 */
public final class SuperResolver implements AutoCloseable {
  private final String modelId;
  private final InferenceBackend backend;
  private final int frames;

  /**
   * @param modelId manifest id, reported with every frame
   * @param backend the loaded model; closed with this resolver
   * @param frames K for a burst model (the manifest's input dimension 1), 1 for a single-frame one
   */
  public SuperResolver(String modelId, InferenceBackend backend, int frames) {
    this.modelId = modelId;
    this.backend = backend;
    this.frames = frames;
  }

  /**
   * Enhances the burst's reference frame.
   *
   * @throws IllegalArgumentException when the burst does not fit the model (frame count,
   *     reference position, mixed sizes) or the result would not fit in a record
   */
  public EnhancedFrame enhance(Burst burst) throws InferenceException {
    long start = System.nanoTime();
    if (burst.getFramesCount() == 0 || burst.getReference() < 0
        || burst.getReference() >= burst.getFramesCount()) {
      throw new IllegalArgumentException("burst " + burst.getBurstIndex() + " has "
          + burst.getFramesCount() + " frames and reference " + burst.getReference());
    }
    FrameRecord ref = burst.getFrames(burst.getReference());
    int w = ref.getWidth();
    int h = ref.getHeight();
    int plane = w * h;
    float[] in;
    long[] shape;
    if (frames == 1) {
      in = new float[3 * plane];
      planes(FrameImages.toRgb(ref), in, 0);
      shape = new long[] {1, 3, h, w};
    } else {
      if (burst.getFramesCount() != frames || burst.getReference() != frames / 2) {
        throw new IllegalArgumentException("model " + modelId + " takes bursts of " + frames
            + " frames with the reference in the middle (index " + frames / 2 + "); burst "
            + burst.getBurstIndex() + " has " + burst.getFramesCount() + " with reference "
            + burst.getReference() + " (ask decode for burstFrames=" + frames + ")");
      }
      in = new float[frames * 3 * plane];
      for (int k = 0; k < frames; k++) {
        FrameRecord f = burst.getFrames(k);
        if (f.getWidth() != w || f.getHeight() != h) {
          throw new IllegalArgumentException("burst " + burst.getBurstIndex() + " mixes frame"
              + " sizes " + w + "x" + h + " and " + f.getWidth() + "x" + f.getHeight());
        }
        planes(FrameImages.toRgb(f), in, k * 3 * plane);
      }
      shape = new long[] {1, frames, 3, h, w};
    }
    Tensor out = backend.run(new Tensor(shape, in));
    long[] os = out.shape();
    int oh = (int) os[2];
    int ow = (int) os[3];
    long bytes = 3L * oh * ow;
    if (bytes > Topics.LARGE_RECORD_BYTES - 4096) {
      throw new IllegalArgumentException("enhanced frame " + ow + "x" + oh + " (" + bytes
          + " bytes) exceeds the record limit of " + Topics.LARGE_RECORD_BYTES
          + " bytes; ask decode for a smaller burst maxSide");
    }
    byte[] bgr = new byte[(int) bytes];
    float[] o = out.data();
    int op = oh * ow;
    for (int i = 0; i < op; i++) {
      bgr[3 * i] = toByte(o[2 * op + i]);
      bgr[3 * i + 1] = toByte(o[op + i]);
      bgr[3 * i + 2] = toByte(o[i]);
    }
    return EnhancedFrame.newBuilder().setVideoId(burst.getVideoId())
        .setBurstIndex(burst.getBurstIndex()).setFrameIndex(ref.getFrameIndex())
        .setPtsUs(ref.getPtsUs()).setModelId(modelId).setScale(oh / h).setFramesUsed(frames)
        .setWidth(ow).setHeight(oh).setBgr(ByteString.copyFrom(bgr))
        .setEnhanceMs((System.nanoTime() - start) / 1e6f).build();
  }

  private static void planes(RgbImage img, float[] dst, int offset) {
    int plane = img.width() * img.height();
    byte[] rgb = img.rgb();
    for (int i = 0; i < plane; i++) {
      dst[offset + i] = rgb[3 * i] & 0xff;
      dst[offset + plane + i] = rgb[3 * i + 1] & 0xff;
      dst[offset + 2 * plane + i] = rgb[3 * i + 2] & 0xff;
    }
  }

  private static byte toByte(float v) {
    return (byte) Math.round(Math.max(0f, Math.min(255f, v)));
  }

  /** Manifest id of the model. */
  public String modelId() {
    return modelId;
  }

  @Override
  public void close() {
    backend.close();
  }
}
