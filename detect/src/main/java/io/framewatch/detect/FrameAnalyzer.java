package io.framewatch.detect;

import io.framewatch.frames.FaceAligner;
import io.framewatch.frames.FrameImages;
import io.framewatch.frames.RgbImage;
import io.framewatch.proto.Detection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * detect/'s work on one frame: faces, their CADDM crops and their P(fake), all faces of the frame
 * scored in one batch. Without a classifier
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
    long start = System.nanoTime();
    Optional<DeepfakeClassifier> classifier =
        classifiers.map(r -> r.pick(frame.getCompression()));
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
        .setWorker(worker);
    try {
      RgbImage image = FrameImages.toRgb(frame);
      List<Face> faces = detector.detect(image);
      float[] scores = null;
      if (classifier.isPresent() && !faces.isEmpty()) {
        // all faces of the frame in one batch
        List<float[]> crops = new ArrayList<>(faces.size());
        for (Face face : faces) {
          crops.add(FaceAligner.cropBgrChw(image, FaceAligner.transform(face.keypoints())));
        }
        scores = classifier.get().pFake(crops);
      }
      for (int i = 0; i < faces.size(); i++) {
        Detection.Builder d = Detection.newBuilder().setFace(faces.get(i).toProto());
        if (scores != null) {
          d.setModelId(classifier.get().modelId()).setPFake(scores[i]);
        } else {
          d.setModelId(NO_MODEL).setNoModel(true);
        }
        out.addDetections(d);
      }
    } catch (Exception e) {
      out.clearDetections().setError(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return out.setAnalysisMs((System.nanoTime() - start) / 1e6f).build();
  }

  @Override
  public void close() {
    detector.close();
    classifiers.ifPresent(ClassifierRoute::close);
  }
}
