package io.framewatch.detect;

import io.framewatch.proto.CompressionStats;
import java.util.Optional;

/**
 * Which deepfake classifier judges a frame: the {@code clean} one, unless a classifier that
 * holds up better under compression is installed and the frame's encoder quantiser (the
 * area-weighted mean block QP decode/ reads from H.264/HEVC side data) is at least
 * {@code minQp}. Frames whose codec exports no QP go to the clean classifier.
 *
 * @param clean classifier for ordinary frames
 * @param compressed classifier for heavily compressed frames, if any
 * @param minQp QP from which a frame counts as heavily compressed
 */
public record ClassifierRoute(DeepfakeClassifier clean, Optional<DeepfakeClassifier> compressed,
    float minQp) implements AutoCloseable {

  /** The classifier for a frame with these compression statistics. */
  public DeepfakeClassifier pick(CompressionStats stats) {
    if (compressed.isPresent() && stats.getQpAvailable() && stats.getQpMean() >= minQp) {
      return compressed.get();
    }
    return clean;
  }

  @Override
  public void close() {
    clean.close();
    compressed.ifPresent(DeepfakeClassifier::close);
  }
}
