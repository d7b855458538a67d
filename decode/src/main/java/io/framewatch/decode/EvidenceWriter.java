package io.framewatch.decode;

import io.framewatch.frames.ArtifactOverlay;
import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.RgbImage;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.StoredCrop;
import io.framewatch.runtime.VideoFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes one sample's evidence files into a video's evidence directory: each face's aligned crop
 * ({@link FaceAligner#cropRgb}, 224x224, lossless PNG: what the classifier judged), for a face the
 * sink marks ({@code draw_artifact_map}: its P(fake) at or above its model's alert raise threshold)
 * the same crop with its artifact map drawn over it ({@link ArtifactOverlay}, PNG), and one
 * thumbnail of the frame with every requested face's box and track (JPEG, at analysis size, at
 * most 640 px by default: a moderator sees where the face was). Each file is written under a
 * temporary name and moved into place, so a reader never sees half a file.
 */
final class EvidenceWriter {
  /** JPEG quality of the thumbnail: boxes and faces stay crisp at a few tens of kB. */
  static final float JPEG_QUALITY = 0.9f;

  private EvidenceWriter() {}

  /** Writes the files of sample {@code sample} of {@code frame} into {@code dir}. */
  static EvidenceStored write(Path dir, long sample, long ptsUs, RgbImage frame,
      List<EvidenceFace> faces) throws IOException {
    Files.createDirectories(dir);
    EvidenceStored.Builder out = EvidenceStored.newBuilder().setSampleIndex(sample)
        .setPtsUs(ptsUs);
    for (EvidenceFace f : faces) {
      RgbImage crop = FaceAligner.cropRgb(frame,
          FaceAligner.transform(f.getDetection().getFace()));
      String name = VideoFiles.cropName(sample, f.getFaceIndex());
      long bytes = VideoFiles.writeAtomically(dir, name,
          os -> ImageIO.write(crop.toBufferedImage(), "png", os));
      StoredCrop.Builder stored = StoredCrop.newBuilder().setFaceIndex(f.getFaceIndex())
          .setTrackId(f.getTrackId()).setFile(name).setBytes(bytes);
      if (f.getDrawArtifactMap() && f.getDetection().hasArtifactMap()) {
        RgbImage map = ArtifactOverlay.draw(crop, f.getDetection().getArtifactMap());
        String mapName = VideoFiles.mapName(sample, f.getFaceIndex());
        stored.setMapFile(mapName).setMapBytes(VideoFiles.writeAtomically(dir, mapName,
            os -> ImageIO.write(map.toBufferedImage(), "png", os)));
      }
      out.addCrops(stored);
    }
    BufferedImage thumb = thumbnail(frame, faces);
    String name = VideoFiles.frameName(sample);
    long bytes = VideoFiles.writeAtomically(dir, name, os -> jpeg(thumb, os));
    return out.setFrameFile(name).setFrameBytes(bytes).build();
  }

  /** The frame with each face's box and a label: track and P(fake). */
  static BufferedImage thumbnail(RgbImage frame, List<EvidenceFace> faces) {
    BufferedImage bi = frame.toBufferedImage();
    Graphics2D g = bi.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      float stroke = Math.max(2f, Math.max(frame.width(), frame.height()) / 320f);
      g.setStroke(new BasicStroke(stroke));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, frame.height() / 30)));
      for (EvidenceFace f : faces) {
        FaceDetection d = f.getDetection().getFace();
        int x = Math.round(d.getXMin());
        int y = Math.round(d.getYMin());
        int w = Math.round(d.getXMax() - d.getXMin());
        int h = Math.round(d.getYMax() - d.getYMin());
        g.setColor(Color.RED);
        g.drawRect(x, y, w, h);
        String label = "track " + f.getTrackId() + (f.getDetection().hasPFake()
            ? String.format(Locale.ROOT, "  P(fake) %.2f", f.getDetection().getPFake()) : "");
        int ascent = g.getFontMetrics().getAscent();
        int ty = y - (int) stroke - 2 >= ascent ? y - (int) stroke - 2 : y + h + ascent + 2;
        g.setColor(Color.BLACK);
        g.drawString(label, x + 1, ty + 1);
        g.setColor(Color.YELLOW);
        g.drawString(label, x, ty);
      }
    } finally {
      g.dispose();
    }
    return bi;
  }

  private static void jpeg(BufferedImage image, OutputStream os) throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
      w.setOutput(ios);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(JPEG_QUALITY);
      w.write(null, new IIOImage(image, null, null), p);
    } finally {
      w.dispose();
    }
  }
}
