package io.framewatch.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.framewatch.decode.FfmpegCli;
import io.framewatch.detect.BlazeFaceDetector;
import io.framewatch.detect.DeepfakeClassifier;
import io.framewatch.detect.Face;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Tools the Python model tooling (models/deepfake) calls, so that it uses exactly what the service
 * uses: the bundled FFmpeg and the detect stage's BlazeFace.
 */
final class ToolsCommand {
  private ToolsCommand() {}

  /** {@code framewatch faces --json OUT [--classifier ID]... IMAGE...}. */
  @Command(name = "faces", description = "Detect faces in image files with the detect stage's"
      + " BlazeFace and write boxes, scores and keypoints (image pixels) as JSON; with"
      + " --classifier also each face's P(fake) and raw logit, cropped and scored as the detect"
      + " stage does.")
  static final class Faces implements Callable<Integer> {
    @Option(names = "--json", required = true, description = "output file")
    File json;

    @Option(names = "--model", description = "face detector manifest id (default ${DEFAULT-VALUE})")
    String model = "blazeface-front-128";

    @Option(names = "--min-score", description = "minimum face probability (${DEFAULT-VALUE})")
    float minScore = 0.5f;

    @Option(names = "--classifier", paramLabel = "ID", description = "deepfake classifier"
        + " manifest id to score every face with (repeatable); a calibrated manifest's"
        + " temperature applies to p_fake, not to logit")
    List<String> classifiers = new ArrayList<>();

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<File> images;

    @Override
    public Integer call() throws Exception {
      ModelStore store = ModelStore.fromEnvironment();
      List<Map<String, Object>> out = new ArrayList<>();
      int faces = 0;
      BackendOptions options = BackendOptions.defaults(store.cacheDir());
      List<DeepfakeClassifier> scorers = new ArrayList<>();
      try (BlazeFaceDetector det = new BlazeFaceDetector(store.manifest(model),
          store.open(model, options), minScore)) {
        for (String id : classifiers) {
          scorers.add(DeepfakeClassifier.of(store.manifest(id), store.open(id, options)));
        }
        for (File f : images) {
          RgbImage img = RgbImage.read(f.toPath());
          List<Face> detected = det.detect(img);
          List<float[]> crops = scorers.isEmpty() ? List.of()
              : DeepfakeClassifier.crops(img, detected);
          // one model run per classifier gives both the P(fake) and the logit of every face
          List<List<DeepfakeClassifier.Score>> scored = new ArrayList<>();
          for (DeepfakeClassifier c : scorers) {
            scored.add(c.score(crops));
          }
          List<Map<String, Object>> found = new ArrayList<>();
          for (Face face : detected) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("score", face.score());
            m.put("box", new float[] {face.xMin(), face.yMin(), face.xMax(), face.yMax()});
            float[][] kp = new float[Face.KEYPOINTS][];
            for (int k = 0; k < Face.KEYPOINTS; k++) {
              kp[k] = new float[] {face.kx(k), face.ky(k)};
            }
            m.put("keypoints", kp);
            if (!scorers.isEmpty()) {
              Map<String, Object> scores = new LinkedHashMap<>();
              for (int c = 0; c < scorers.size(); c++) {
                int i = found.size();
                DeepfakeClassifier.Score sc = scored.get(c).get(i);
                scores.put(scorers.get(c).modelId(),
                    Map.of("p_fake", sc.pFake(), "logit", sc.logit()));
              }
              m.put("classifiers", scores);
            }
            found.add(m);
          }
          faces += found.size();
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("file", f.getPath());
          entry.put("width", img.width());
          entry.put("height", img.height());
          entry.put("faces", found);
          out.add(entry);
        }
      } finally {
        scorers.forEach(DeepfakeClassifier::close);
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(json, Map.of("detector", model, "images", out));
      System.out.println(images.size() + " images, " + faces + " faces -> " + json);
      return 0;
    }
  }

  /** {@code framewatch ffmpeg -- ARGS...}: the bundled ffmpeg, output passed through. */
  @Command(name = "ffmpeg", description = "Run the ffmpeg executable bundled with the decoder.")
  static final class Ffmpeg implements Callable<Integer> {
    @Option(names = "--path", description = "print the executable's path and exit")
    boolean printPath;

    @Parameters(arity = "0..*", paramLabel = "ARG", description = "ffmpeg arguments (after --)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      if (printPath) {
        System.out.println(FfmpegCli.path());
        return 0;
      }
      List<String> cmd = new ArrayList<>(List.of(FfmpegCli.path(), "-hide_banner", "-nostdin"));
      cmd.addAll(args);
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
  }
}
