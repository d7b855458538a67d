package io.framewatch.enhance;

import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.EvidenceTarget;
import io.framewatch.proto.StoredEnhanced;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.VideoFiles;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an evidence burst's super-resolved face ({@link EnhancedFrame#getEvidence()}) into the
 * video's evidence directory as a lossless PNG, named as the sink named it
 * ({@link VideoFiles#enhancedName}), and reports it with an {@link EvidenceStored} event whose
 * {@code enhanced} the sink folds into the track's evidence. A video deleted meanwhile gets no
 * file (one written while it was deleted is removed again) and no event; a file that cannot be
 * written is reported with the reason.
 */
final class EnhancedEvidence {
  private static final Logger LOG = LoggerFactory.getLogger(EnhancedEvidence.class);

  private EnhancedEvidence() {}

  /**
   * Writes {@code e}'s image and returns the event reporting it, without its worker.
   *
   * @throws IllegalArgumentException when the target names another file than the face's (the
   *     consumer loop dead-letters the burst)
   */
  static Optional<VideoEvent> write(VideoFiles files, EnhancedFrame e) {
    EvidenceTarget t = e.getEvidence();
    String id = e.getVideoId();
    String expected = VideoFiles.enhancedName(t.getSampleIndex(), t.getFaceIndex());
    if (!t.getFile().equals(expected)) {
      throw new IllegalArgumentException("evidence burst of video " + id + " names file '"
          + t.getFile() + "', not " + expected);
    }
    Path file = files.evidenceFile(id, expected);
    StoredEnhanced.Builder stored = StoredEnhanced.newBuilder().setFaceIndex(t.getFaceIndex())
        .setTrackId(t.getTrackId()).setFile(expected).setModelId(e.getModelId())
        .setFramesUsed(e.getFramesUsed()).setSide(e.getWidth());
    try {
      if (files.storedUpload(id).isEmpty()) {
        LOG.info("video {} was deleted before its super-resolved evidence was written", id);
        return Optional.empty();
      }
      Files.createDirectories(file.getParent());
      BufferedImage img = image(e);
      stored.setBytes(VideoFiles.writeAtomically(file.getParent(), expected,
          os -> ImageIO.write(img, "png", os)));
      if (files.storedUpload(id).isEmpty()) {
        Files.deleteIfExists(file); // deleted while we wrote: what we wrote must not outlive it
        LOG.info("video {} was deleted while its super-resolved evidence was written", id);
        return Optional.empty();
      }
    } catch (IOException ex) {
      LOG.warn("video {} sample {}: super-resolved evidence not written: {}", id,
          t.getSampleIndex(), ex.toString());
      stored.setBytes(0).setError("enhance: " + ex.getMessage());
    }
    return Optional.of(VideoEvent.newBuilder().setVideoId(id)
        .setAtMs(System.currentTimeMillis()).setEvidence(EvidenceStored.newBuilder()
            .setSampleIndex(t.getSampleIndex()).setPtsUs(t.getPtsUs()).setEnhanced(stored))
        .build());
  }

  /** The event saying why an evidence burst's super-resolved crop will not exist. */
  static VideoEvent unavailable(Burst burst, String why) {
    EvidenceTarget t = burst.getEvidence();
    return VideoEvent.newBuilder().setVideoId(burst.getVideoId())
        .setAtMs(System.currentTimeMillis()).setEvidence(EvidenceStored.newBuilder()
            .setSampleIndex(t.getSampleIndex()).setPtsUs(t.getPtsUs())
            .setEnhanced(StoredEnhanced.newBuilder().setFaceIndex(t.getFaceIndex())
                .setTrackId(t.getTrackId()).setFile(t.getFile()).setError(why)))
        .build();
  }

  /** The enhanced frame's packed BGR rows as an image (TYPE_3BYTE_BGR holds them as they are). */
  static BufferedImage image(EnhancedFrame e) {
    int w = e.getWidth();
    int h = e.getHeight();
    if (w < 1 || h < 1 || e.getBgr().size() != 3L * w * h) {
      throw new IllegalArgumentException("enhanced frame of video " + e.getVideoId() + " holds "
          + e.getBgr().size() + " bytes, not " + w + "x" + h + "x3");
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    e.getBgr().copyTo(((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0);
    return img;
  }
}
