package io.framewatch.frames;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * An 8-bit interleaved RGB image on the heap.
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb {@code width * height * 3} bytes, R then G then B
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /** Checks that the buffer matches the size. */
  public RgbImage {
    if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "RGB image " + width + "x" + height + " needs " + (width * height * 3) + " bytes");
    }
  }

  /**
   * Bilinear sample of channel {@code c} (0=R, 1=G, 2=B) at pixel coordinates (x, y), where
   * integer coordinates are pixel centres. Neighbours outside the image count as 0 (constant
   * border), as OpenCV's warpAffine does with BORDER_CONSTANT.
   */
  public float sample(float x, float y, int c) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    float fx = x - x0;
    float fy = y - y0;
    return (1 - fy) * ((1 - fx) * at(x0, y0, c) + fx * at(x0 + 1, y0, c))
        + fy * ((1 - fx) * at(x0, y0 + 1, c) + fx * at(x0 + 1, y0 + 1, c));
  }

  private int at(int x, int y, int c) {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      return 0;
    }
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  /** This image as an AWT image (8-bit RGB), for drawing on and for ImageIO's writers. */
  public BufferedImage toBufferedImage() {
    BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int o = (y * width + x) * 3;
        row[x] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
      }
      bi.setRGB(0, y, width, 1, row, 0, width);
    }
    return bi;
  }

  /** Reads a PNG or JPEG file as 8-bit RGB. */
  public static RgbImage read(Path file) throws IOException {
    BufferedImage bi = ImageIO.read(file.toFile());
    if (bi == null) {
      throw new IOException(file + " is not an image that ImageIO can read");
    }
    int w = bi.getWidth();
    int h = bi.getHeight();
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      bi.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int px = row[x];
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (px >> 16);
        rgb[o + 1] = (byte) (px >> 8);
        rgb[o + 2] = (byte) px;
      }
    }
    return new RgbImage(w, h, rgb);
  }
}
