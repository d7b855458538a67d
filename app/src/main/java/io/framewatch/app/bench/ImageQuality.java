package io.framewatch.app.bench;

/**
 * Full-reference image quality of a restored image against its original, both tight 8-bit RGB of
 * the same size, with {@code shave} border pixels left out (the super-resolution convention:
 * shave the scale factor). PSNR over RGB and over BT.601 luma (Y = 16 + (65.481 R + 128.553 G +
 * 24.966 B) / 255), and SSIM on that luma with the usual constants (K1 = 0.01, K2 = 0.03, L = 255)
 * and an 11x11 Gaussian window of sigma 1.5, evaluated at every pixel whose window fits.
 */
public final class ImageQuality {
  private ImageQuality() {}

  /** PSNR in dB over the RGB values; infinite for identical images. */
  public static double psnrRgb(byte[] a, byte[] b, int w, int h, int shave) {
    check(a, b, w, h, shave);
    double sum = 0;
    long n = 0;
    for (int y = shave; y < h - shave; y++) {
      for (int x = shave; x < w - shave; x++) {
        int o = 3 * (y * w + x);
        for (int c = 0; c < 3; c++) {
          double d = (a[o + c] & 0xff) - (b[o + c] & 0xff);
          sum += d * d;
          n++;
        }
      }
    }
    return psnr(sum / n);
  }

  /** PSNR in dB over BT.601 luma. */
  public static double psnrY(byte[] a, byte[] b, int w, int h, int shave) {
    check(a, b, w, h, shave);
    double[] ya = luma(a, w, h);
    double[] yb = luma(b, w, h);
    double sum = 0;
    long n = 0;
    for (int y = shave; y < h - shave; y++) {
      for (int x = shave; x < w - shave; x++) {
        double d = ya[y * w + x] - yb[y * w + x];
        sum += d * d;
        n++;
      }
    }
    return psnr(sum / n);
  }

  /** Mean SSIM over BT.601 luma. */
  public static double ssimY(byte[] a, byte[] b, int w, int h, int shave) {
    check(a, b, w, h, shave);
    int cw = w - 2 * shave;
    int ch = h - 2 * shave;
    double[] ya = crop(luma(a, w, h), w, shave, cw, ch);
    double[] yb = crop(luma(b, w, h), w, shave, cw, ch);
    int r = 5;
    if (cw <= 2 * r || ch <= 2 * r) {
      throw new IllegalArgumentException("SSIM needs more than 11x11 pixels after the shave, got "
          + cw + "x" + ch);
    }
    double[] g = new double[2 * r + 1];
    double gs = 0;
    for (int i = -r; i <= r; i++) {
      g[i + r] = Math.exp(-(i * i) / (2 * 1.5 * 1.5));
      gs += g[i + r];
    }
    for (int i = 0; i < g.length; i++) {
      g[i] /= gs;
    }
    double c1 = Math.pow(0.01 * 255, 2);
    double c2 = Math.pow(0.03 * 255, 2);
    double total = 0;
    long n = 0;
    for (int y = r; y < ch - r; y++) {
      for (int x = r; x < cw - r; x++) {
        double ma = 0;
        double mb = 0;
        double saa = 0;
        double sbb = 0;
        double sab = 0;
        for (int j = -r; j <= r; j++) {
          for (int i = -r; i <= r; i++) {
            double wgt = g[j + r] * g[i + r];
            double va = ya[(y + j) * cw + x + i];
            double vb = yb[(y + j) * cw + x + i];
            ma += wgt * va;
            mb += wgt * vb;
            saa += wgt * va * va;
            sbb += wgt * vb * vb;
            sab += wgt * va * vb;
          }
        }
        double va = saa - ma * ma;
        double vb = sbb - mb * mb;
        double cov = sab - ma * mb;
        total += ((2 * ma * mb + c1) * (2 * cov + c2))
            / ((ma * ma + mb * mb + c1) * (va + vb + c2));
        n++;
      }
    }
    return total / n;
  }

  private static double psnr(double mse) {
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  private static double[] luma(byte[] rgb, int w, int h) {
    double[] y = new double[w * h];
    for (int i = 0; i < y.length; i++) {
      y[i] = 16 + (65.481 * (rgb[3 * i] & 0xff) + 128.553 * (rgb[3 * i + 1] & 0xff)
          + 24.966 * (rgb[3 * i + 2] & 0xff)) / 255.0;
    }
    return y;
  }

  private static double[] crop(double[] v, int w, int shave, int cw, int ch) {
    double[] out = new double[cw * ch];
    for (int y = 0; y < ch; y++) {
      System.arraycopy(v, (y + shave) * w + shave, out, y * cw, cw);
    }
    return out;
  }

  private static void check(byte[] a, byte[] b, int w, int h, int shave) {
    if (a.length != 3 * w * h || b.length != 3 * w * h) {
      throw new IllegalArgumentException("images must both be " + w + "x" + h + " RGB, got "
          + a.length + " and " + b.length + " bytes");
    }
    if (shave < 0 || 2 * shave >= w || 2 * shave >= h) {
      throw new IllegalArgumentException("shave " + shave + " leaves nothing of " + w + "x" + h);
    }
  }
}
