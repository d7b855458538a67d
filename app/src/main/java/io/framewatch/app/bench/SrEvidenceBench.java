package io.framewatch.app.bench;

import com.google.protobuf.ByteString;
import io.framewatch.decode.FfmpegCli;
import io.framewatch.decode.SrRegion;
import io.framewatch.detect.BlazeFaceDetector;
import io.framewatch.detect.Face;
import io.framewatch.enhance.SuperResolver;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.Device;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * {@code framewatch bench sr-faces}: how much a super-resolved face crop recovers of the original.
 * A real clip is downscaled x3 with the bundled ffmpeg (its top-left crop with sides a multiple of
 * 6, bicubic, then H.264 CRF 23, as low-resolution uploads arrive); at regular points, the face that BlazeFace finds in the original frame is cut
 * from the low-resolution clip as a square region around it, from the K = 5 frames centred on that
 * point, and enhanced the way enhance/ enhances a burst ({@link SuperResolver#enhance}) by the
 * burst model and by the single-frame model; a bicubic x3 upscale of the centre frame's region is
 * the baseline. Each is compared with the same region of the original frame: PSNR (RGB and
 * BT.601 Y) and SSIM (Y), 3 border pixels shaved.
 */
public final class SrEvidenceBench {
  /** The scale of the shipped super-resolution models and of the downscale. */
  public static final int SCALE = 3;
  /** Frames of a burst (burstnc-x3's K). */
  static final int K = 5;

  private final PrintStream out;
  private final ModelStore store;

  /**
   * @param out where the figures go
   * @param store model store
   */
  public SrEvidenceBench(PrintStream out, ModelStore store) {
    this.out = out;
    this.store = store;
  }

  /** Mean figures of one method over every measured face. */
  record Figures(String method, int faces, double psnrRgb, double psnrY, double ssimY) {}

  /** Makes the x3-downscaled clip of {@code original} at {@code lowRes} (replaced if present). */
  public static void downscale(Path original, Path lowRes) throws IOException, InterruptedException {
    // the top-left crop whose sides are multiples of 2 x SCALE, so that every low-resolution
    // pixel covers exactly SCALE x SCALE original pixels (the comparison crops the same)
    int m = 2 * SCALE;
    FfmpegCli.run("-y", "-i", original.toString(), "-an", "-vf",
        "crop=trunc(iw/" + m + ")*" + m + ":trunc(ih/" + m + ")*" + m + ":0:0,scale=iw/" + SCALE
            + ":ih/" + SCALE + ":flags=bicubic",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", lowRes.toString());
  }

  /**
   * Measures and prints the table.
   *
   * @param original the original clip
   * @param lowRes its x3 downscale ({@link #downscale})
   * @param everyFrames distance between measured points, in frames
   * @param maxFaces stop after this many measured faces
   * @return the figures: bicubic, then each model
   */
  public List<Figures> run(Path original, Path lowRes, int everyFrames, int maxFaces)
      throws Exception {
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    BackendOptions opts = BackendOptions.defaults(store.cacheDir()).withDevice(Device.CPU)
        .withThreads(Math.max(1, Runtime.getRuntime().availableProcessors()), 1);
    ModelManifest det = store.manifest("blazeface-front-128");
    double[][] sums = new double[3][3];
    int faces = 0;
    try (BlazeFaceDetector detector = new BlazeFaceDetector(det, store.open(det.id(), opts), 0.5f);
        SuperResolver burst = new SuperResolver("burstnc-x3", store.open("burstnc-x3", opts), K);
        SuperResolver single = new SuperResolver("ncnet-x3", store.open("ncnet-x3", opts), 1);
        FFmpegFrameGrabber hr = rgbGrabber(original);
        FFmpegFrameGrabber lr = rgbGrabber(lowRes)) {
      int dw = hr.getImageWidth() - lr.getImageWidth() * SCALE;
      int dh = hr.getImageHeight() - lr.getImageHeight() * SCALE;
      if (dw < 0 || dh < 0 || dw >= 2 * SCALE || dh >= 2 * SCALE) {
        throw new BenchFailure("the low-resolution clip is " + lr.getImageWidth() + "x"
            + lr.getImageHeight() + ", not the top-left crop of the original's "
            + hr.getImageWidth() + "x" + hr.getImageHeight() + " / " + SCALE);
      }
      Deque<RgbImage> lrWindow = new ArrayDeque<>();
      Deque<RgbImage> hrWindow = new ArrayDeque<>();
      for (long index = 0; faces < maxFaces; index++) {
        RgbImage h = next(hr);
        RgbImage l = next(lr);
        if (h == null || l == null) {
          break;
        }
        lrWindow.addLast(l);
        hrWindow.addLast(h);
        if (lrWindow.size() > K) {
          lrWindow.removeFirst();
          hrWindow.removeFirst();
        }
        long centre = index - K / 2;
        if (lrWindow.size() < K || centre % everyFrames != 0) {
          continue;
        }
        RgbImage original0 = new ArrayList<>(hrWindow).get(K / 2);
        Optional<Face> face = detector.detect(original0).stream()
            .max(Comparator.comparingDouble(Face::score));
        if (face.isEmpty()) {
          continue;
        }
        int[] region = region(face.get(), l.width(), l.height());
        if (region == null) {
          continue;
        }
        int s = region[2];
        byte[] truth = cut(original0, region[0] * SCALE, region[1] * SCALE, s * SCALE);
        List<RgbImage> window = new ArrayList<>(lrWindow);
        byte[] bicubic = bicubic(cut(window.get(K / 2), region[0], region[1], s), s);
        byte[] sr5 = rgb(burst.enhance(burst(window, region, K)));
        byte[] sr1 = rgb(single.enhance(burst(window.subList(K / 2, K / 2 + 1), region, 1)));
        byte[][] methods = {bicubic, sr1, sr5};
        int side = s * SCALE;
        for (int m = 0; m < 3; m++) {
          sums[m][0] += ImageQuality.psnrRgb(methods[m], truth, side, side, SCALE);
          sums[m][1] += ImageQuality.psnrY(methods[m], truth, side, side, SCALE);
          sums[m][2] += ImageQuality.ssimY(methods[m], truth, side, side, SCALE);
        }
        faces++;
      }
    }
    if (faces == 0) {
      throw new BenchFailure("no face found at the measured points of " + original);
    }
    String[] names = {"bicubic x3", "ncnet-x3 (1 frame)", "burstnc-x3 (5 frames)"};
    List<Figures> figures = new ArrayList<>();
    out.printf(Locale.ROOT, "%n%-24s %6s %10s %8s %8s%n", "method", "faces", "PSNR RGB", "PSNR Y",
        "SSIM Y");
    for (int m = 0; m < 3; m++) {
      Figures f = new Figures(names[m], faces, sums[m][0] / faces, sums[m][1] / faces,
          sums[m][2] / faces);
      figures.add(f);
      out.printf(Locale.ROOT, "%-24s %6d %10.2f %8.2f %8.4f%n", f.method(), f.faces(),
          f.psnrRgb(), f.psnrY(), f.ssimY());
    }
    out.printf(Locale.ROOT, "gain of burstnc-x3 over bicubic: %+.2f dB PSNR Y, %+.4f SSIM Y%n",
        figures.get(2).psnrY() - figures.get(0).psnrY(),
        figures.get(2).ssimY() - figures.get(0).ssimY());
    return figures;
  }

  /**
   * The square low-resolution region {@code [x, y, side]} around a face found in the original
   * (original pixels / {@link #SCALE}), inside the frame; null when the frame cannot hold one of
   * at least 16 pixels.
   */
  static int[] region(Face f, int lrWidth, int lrHeight) {
    SrRegion r = SrRegion.around(f.xMin(), f.yMin(), f.xMax(), f.yMax(), 1.0 / SCALE,
        1.0 / SCALE, lrWidth, lrHeight);
    return r.side() < 16 ? null : new int[] {r.x(), r.y(), r.side()};
  }

  private static FFmpegFrameGrabber rgbGrabber(Path file) throws IOException {
    FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
    g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
    g.start();
    return g;
  }

  /** The next video frame as tight RGB, or null at the end. */
  private static RgbImage next(FFmpegFrameGrabber g) throws IOException {
    Frame f = g.grabImage();
    if (f == null) {
      return null;
    }
    int w = f.imageWidth;
    int h = f.imageHeight;
    ByteBuffer buf = (ByteBuffer) f.image[0];
    byte[] rgb = new byte[3 * w * h];
    for (int y = 0; y < h; y++) {
      buf.position(y * f.imageStride);
      buf.get(rgb, 3 * w * y, 3 * w);
    }
    return new RgbImage(w, h, rgb);
  }

  /** The square {@code side} region at ({@code x}, {@code y}) of {@code img}, tight RGB. */
  private static byte[] cut(RgbImage img, int x, int y, int side) {
    byte[] out = new byte[3 * side * side];
    for (int r = 0; r < side; r++) {
      System.arraycopy(img.rgb(), 3 * ((y + r) * img.width() + x), out, 3 * side * r, 3 * side);
    }
    return out;
  }

  /** The frames' regions as a burst of BGR24 records, reference in the middle. */
  private static Burst burst(List<RgbImage> frames, int[] region, int k) {
    Burst.Builder b = Burst.newBuilder().setVideoId("bench").setReference(k / 2);
    int s = region[2];
    for (RgbImage f : frames) {
      byte[] bgr = swapRedBlue(cut(f, region[0], region[1], s));
      b.addFrames(FrameRecord.newBuilder().setVideoId("bench").setPixelFormat(PixelFormat.BGR24)
          .setWidth(s).setHeight(s).addStrides(3 * s).setData(ByteString.copyFrom(bgr)));
    }
    return b.build();
  }

  /** An enhanced frame's BGR as tight RGB. */
  private static byte[] rgb(EnhancedFrame e) {
    return swapRedBlue(e.getBgr().toByteArray());
  }

  /** Tight RGB as BGR, or BGR as RGB: a copy with the first and third byte of each pixel swapped. */
  private static byte[] swapRedBlue(byte[] px) {
    byte[] out = new byte[px.length];
    for (int i = 0; i < px.length; i += 3) {
      out[i] = px[i + 2];
      out[i + 1] = px[i + 1];
      out[i + 2] = px[i];
    }
    return out;
  }

  /** Java2D's bicubic x{@link #SCALE} upscale of a tight RGB square. */
  static byte[] bicubic(byte[] rgb, int side) {
    BufferedImage src = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = swapRedBlue(rgb);
    System.arraycopy(bgr, 0, ((DataBufferByte) src.getRaster().getDataBuffer()).getData(), 0,
        bgr.length);
    int big = side * SCALE;
    BufferedImage dst = new BufferedImage(big, big, BufferedImage.TYPE_3BYTE_BGR);
    new AffineTransformOp(AffineTransform.getScaleInstance(SCALE, SCALE),
        AffineTransformOp.TYPE_BICUBIC).filter(src, dst);
    return swapRedBlue(((DataBufferByte) dst.getRaster().getDataBuffer()).getData());
  }
}
