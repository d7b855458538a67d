package io.framewatch.detect;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.FrameImages;
import io.framewatch.frames.Similarity;
import io.framewatch.frames.RgbImage;
import io.framewatch.proto.Detection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * detect/'s work on frames: faces, their CADDM crops and their P(fake), the faces of all frames
 * handed over together (a poll's) scored in shared batches. Without a classifier
 * each face is reported with {@code model_id = "none"} and no score; a score is never invented.
 * Not thread-safe: one per worker thread.
 */
public final class FrameAnalyzer implements AutoCloseable {
  /** Model id reported when no deepfake classifier is installed. */
  public static final String NO_MODEL = "none";

  private final BlazeFaceDetector detector;
  private final Optional<ClassifierRoute> classifiers;
  private final String worker;

  /**
   * @param detector face detector; closed with this analyzer
   * @param classifiers deepfake classifiers, if installed; closed with this analyzer
   * @param worker name reported in results
   */
  public FrameAnalyzer(BlazeFaceDetector detector, Optional<ClassifierRoute> classifiers,
      String worker) {
    this.detector = detector;
    this.classifiers = classifiers;
    this.worker = worker;
  }

  /**
   * Analyses one frame. Failures of this frame (bad layout, runtime errors) are reported in the
   * result's {@code error} so that the frame is still accounted for.
   */
  public FrameAnalysis analyze(FrameRecord frame) {
    return analyzeAll(List.of(frame)).get(0);
  }

  /**
   * Analyses several frames (the frames of one poll), scoring the faces of all of them together
   * in batches of up to {@link DeepfakeClassifier#MAX_BATCH} per classifier. Results are in the
   * order of {@code frames}. A frame's {@code analysis_ms} is its own conversion and detection time
   * plus its faces' share of the batched classification time. A failing frame gets its
   * {@code error} and does not fail the others: when a batch fails, its frames are scored again
   * one by one, so the error lands on the frame that causes it.
   */
  public List<FrameAnalysis> analyzeAll(List<FrameRecord> frames) {
    List<Pending> pending = new ArrayList<>(frames.size());
    Map<DeepfakeClassifier, List<Pending>> byClassifier = new LinkedHashMap<>();
    for (FrameRecord frame : frames) {
      Pending p = detect(frame);
      pending.add(p);
      if (p.error == null && p.classifier.isPresent() && !p.crops.isEmpty()) {
        byClassifier.computeIfAbsent(p.classifier.get(), k -> new ArrayList<>()).add(p);
      }
    }
    byClassifier.forEach(FrameAnalyzer::score);
    List<FrameAnalysis> out = new ArrayList<>(pending.size());
    for (Pending p : pending) {
      out.add(p.result());
    }
    return out;
  }

  /** One frame between detection and scoring. */
  private final class Pending {
    final FrameRecord frame;
    final Optional<DeepfakeClassifier> classifier;
    List<Face> faces = List.of();
    List<Similarity> toCanvas = List.of();
    List<float[]> crops = List.of();
    List<DeepfakeClassifier.Score> scores;
    long nanos;
    String error;

    Pending(FrameRecord frame, Optional<DeepfakeClassifier> classifier) {
      this.frame = frame;
      this.classifier = classifier;
    }

    FrameAnalysis result() {
      FrameAnalysis.Builder out = FrameAnalysis.newBuilder()
          .setVideoId(frame.getVideoId())
          .setSampleIndex(frame.getSampleIndex())
          .setFrameIndex(frame.getFrameIndex())
          .setPtsUs(frame.getPtsUs())
          .setDecodedAtMs(frame.getDecodedAtMs())
          // what evidence extraction rebuilds the frame at
          .setFrameWidth(frame.getWidth())
          .setFrameHeight(frame.getHeight())
          .setPixelFormat(frame.getPixelFormat())
          .setDetectorModel(detector.modelId())
          .setClassifierModel(classifier.map(DeepfakeClassifier::modelId).orElse(NO_MODEL))
          .setWorker(worker)
          .setAnalysisMs(nanos / 1e6f);
      if (error != null) {
        return out.setError(error).build();
      }
      for (int i = 0; i < faces.size(); i++) {
        Detection.Builder d = Detection.newBuilder().setFace(faces.get(i).toProto());
        if (scores != null) {
          DeepfakeClassifier.Score score = scores.get(i);
          d.setModelId(classifier.get().modelId()).setPFake(score.pFake());
          Similarity s = toCanvas.get(i);
          score.artifact().ifPresent(g ->
              d.setArtifactMap(ArtifactMaps.decode(g.cells(), g.rows(), g.cols(), s)));
        } else {
          d.setModelId(NO_MODEL).setNoModel(true);
        }
        out.addDetections(d);
      }
      return out.build();
    }
  }

  /** Converts a frame, finds its faces and aligns their crops. */
  private Pending detect(FrameRecord frame) {
    long start = System.nanoTime();
    Pending p = new Pending(frame, classifiers.map(r -> r.pick(frame.getCompression())));
    try {
      RgbImage image = FrameImages.toRgb(frame);
      p.faces = detector.detect(image);
      if (p.classifier.isPresent()) {
        p.toCanvas = new ArrayList<>(p.faces.size());
        p.crops = new ArrayList<>(p.faces.size());
        for (Face face : p.faces) {
          Similarity s = FaceAligner.transform(face.keypoints());
          p.toCanvas.add(s);
          p.crops.add(FaceAligner.cropBgrChw(image, s));
        }
      }
    } catch (Exception e) {
      p.error = message(e);
    }
    p.nanos = System.nanoTime() - start;
    return p;
  }

  /** Scores the crops of {@code frames} with {@code classifier} in shared batches. */
  private static void score(DeepfakeClassifier classifier, List<Pending> frames) {
    List<float[]> crops = new ArrayList<>();
    frames.forEach(p -> crops.addAll(p.crops));
    long start = System.nanoTime();
    List<DeepfakeClassifier.Score> all;
    try {
      all = classifier.score(crops);
    } catch (Exception e) {
      if (frames.size() == 1) {
        frames.get(0).error = message(e);
        frames.get(0).nanos += System.nanoTime() - start;
        return;
      }
      frames.forEach(p -> score(classifier, List.of(p)));
      return;
    }
    long perFace = (System.nanoTime() - start) / crops.size();
    int at = 0;
    for (Pending p : frames) {
      p.scores = all.subList(at, at + p.crops.size());
      p.nanos += perFace * p.crops.size();
      at += p.crops.size();
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  @Override
  public void close() {
    detector.close();
    classifiers.ifPresent(ClassifierRoute::close);
  }
}
