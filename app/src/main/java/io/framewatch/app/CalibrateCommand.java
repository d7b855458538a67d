package io.framewatch.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.decode.DecodeOutput;
import io.framewatch.decode.VideoDecoder;
import io.framewatch.detect.BlazeFaceDetector;
import io.framewatch.detect.DeepfakeClassifier;
import io.framewatch.detect.Face;
import io.framewatch.detect.TemperatureFit;
import io.framewatch.frames.FrameImages;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.InferenceException;
import io.framewatch.inference.ModelManifest;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.Burst;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
import io.framewatch.sink.AlertThresholds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code framewatch models calibrate ID --real DIR [--fake DIR]}: fits a temperature for a
 * deepfake classifier on a platform's own footage and writes a derived manifest
 * ({@code ID-cal-HASH}: the same weights file and digest, plus a {@code calibration} block) into
 * the user's models directory, where the detect stage loads it by id
 * ({@code FRAMEWATCH_CLASSIFIER}).
 *
 * <p>The footage goes through the service's own path: videos through the decode stage's
 * {@link VideoDecoder} (its sampling and analysis size, from the same settings), images read as
 * they are; every face BlazeFace finds is cropped and scored as detect scores it. Every face in
 * {@code --real} footage counts as real and every face in {@code --fake} footage as forged. With
 * both, the temperature of least negative log-likelihood; with real footage only,
 * {@link TemperatureFit#fitRealFpr}: a share {@code --fpr} of the real faces lands at or above the
 * target P(fake) (the model's recommended alert threshold unless {@code --target} is given).
 */
@Command(name = "calibrate", description = "Fit a temperature for a deepfake classifier on your own"
    + " footage (videos and/or images; every face in --real is real, every face in --fake is"
    + " forged) and write a derived manifest ID-cal-HASH into the models directory.")
final class CalibrateCommand implements Callable<Integer> {
  static final Set<String> IMAGE_TYPES = Set.of("png", "jpg", "jpeg");
  /** Target P(fake) of the real-only fit when the model recommends no alert threshold. */
  static final double DEFAULT_TARGET = 0.8;

  @Parameters(paramLabel = "ID", description = "deepfake classifier manifest id")
  String id;

  @Option(names = "--real", required = true, paramLabel = "DIR",
      description = "real footage: video files and/or PNG/JPEG images (searched recursively)")
  Path real;

  @Option(names = "--fake", paramLabel = "DIR", description = "forged footage, if any")
  Path fake;

  @Option(names = "--fpr", description = "real-only fit: share of real faces allowed at or above"
      + " the target P(fake) (${DEFAULT-VALUE})")
  double fpr = 0.05;

  @Option(names = "--target", description = "real-only fit: the P(fake) that share lands at"
      + " (default: the model's recommended alert raise threshold, else " + DEFAULT_TARGET + ")")
  Double target;

  @Option(names = "--max-frames", description = "sampled frames read per video (${DEFAULT-VALUE})")
  int maxFrames = 300;

  @Option(names = "--models-dir", paramLabel = "DIR", description = "where the derived manifest"
      + " goes (default FRAMEWATCH_MODELS_DIR)")
  Path modelsDir;

  /** A refusal: printed as one line, exit status 2. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws Exception {
    try {
      Result r = run();
      System.out.println(r.summary());
      return 0;
    } catch (Refused e) {
      System.err.println("framewatch models calibrate: " + e.getMessage());
      return 2;
    }
  }

  /** What a calibration wrote. */
  record Result(String id, Path manifest, ModelManifest.Calibration calibration) {
    String summary() {
      ModelManifest.Calibration c = calibration;
      return String.format(Locale.ROOT, "%s: temperature %.3f (%s, %d real + %d forged faces),"
          + " on those faces ECE %.3f -> %.3f (%d bins), NLL %.3f -> %.3f; wrote %s; use it with"
          + " FRAMEWATCH_MODELS_DIR=%s FRAMEWATCH_CLASSIFIER=%s", id, c.temperature(), c.method(),
          c.realFaces(), c.fakeFaces(), c.eceBefore(), c.eceAfter(), TemperatureFit.ECE_BINS,
          c.nllBefore(), c.nllAfter(), manifest, manifest.getParent().toAbsolutePath(), id);
    }
  }

  Result run() throws Exception {
    Map<String, String> env = System.getenv();
    Path dir = modelsDir != null ? modelsDir
        : Optional.ofNullable(env.get("FRAMEWATCH_MODELS_DIR")).filter(s -> !s.isBlank())
            .map(Path::of).orElseThrow(() -> new Refused("no models directory: set"
                + " FRAMEWATCH_MODELS_DIR or pass --models-dir"));
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new Refused(dir + ": not a directory");
    }
    for (Path p : fake == null ? List.of(real) : List.of(real, fake)) {
      if (!Files.isDirectory(p)) {
        throw new Refused(p + ": no such directory");
      }
    }
    if (!(fpr > 0 && fpr < 0.5)) {
      throw new Refused("--fpr must be in (0, 0.5), got " + fpr);
    }
    ModelStore store = ModelStore.of(env.get("FRAMEWATCH_CACHE"), dir.toString());
    ModelManifest base;
    try {
      base = store.manifest(id);
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
    if (!"deepfake-classification".equals(base.task())) {
      throw new Refused("model " + id + " is a " + base.task() + " model, not a deepfake"
          + " classifier");
    }
    double[] zReal;
    double[] zFake;
    try (FaceLogits scorer = new FaceLogits(store, base, env, maxFrames)) {
      zReal = scorer.logits(real);
      zFake = fake == null ? new double[0] : scorer.logits(fake);
    } catch (InferenceException e) {
      throw new Refused(e.getMessage());
    }
    if (zReal.length == 0) {
      throw new Refused("no faces found in " + real);
    }
    if (fake != null && zFake.length == 0) {
      throw new Refused("no faces found in " + fake);
    }
    double[] z = new double[zReal.length + zFake.length];
    int[] y = new int[z.length];
    System.arraycopy(zReal, 0, z, 0, zReal.length);
    System.arraycopy(zFake, 0, z, zReal.length, zFake.length);
    java.util.Arrays.fill(y, zReal.length, z.length, 1);

    double t;
    String method;
    Double targetP = null;
    if (fake != null) {
      t = TemperatureFit.fitNll(z, y);
      method = "nll";
    } else {
      targetP = target != null ? target : AlertThresholds.recommended(base)
          .map(AlertThresholds::raise).filter(r -> r > 0.5 && r < 1).orElse(DEFAULT_TARGET);
      if (!(targetP > 0.5 && targetP < 1)) {
        throw new Refused("--target must be in (0.5, 1), got " + targetP);
      }
      t = TemperatureFit.fitRealFpr(zReal, fpr, targetP);
      method = "real-fpr";
    }
    String root = base.calibration() != null ? base.calibration().base() : base.id();
    double[] before = TemperatureFit.apply(z, 1.0);
    double[] after = TemperatureFit.apply(z, t);
    ModelManifest.Calibration cal = new ModelManifest.Calibration(root, round(t, 6), method,
        zReal.length, zFake.length, fake == null ? fpr : null, targetP,
        round(TemperatureFit.ece(before, y, TemperatureFit.ECE_BINS), 4),
        round(TemperatureFit.ece(after, y, TemperatureFit.ECE_BINS), 4),
        round(TemperatureFit.nll(z, y, 1.0), 4), round(TemperatureFit.nll(z, y, t), 4));
    String newId = root + "-cal-" + digest(z, y, method, fpr, targetP);
    Path out = writeManifest(store, base, newId, cal, after, y, dir);
    return new Result(newId, out, cal);
  }

  /**
   * The derived manifest: the base's text with the new id and the calibration block. A likelihood
   * fit also replaces the mean P(fake) figures the sink derives its recommended alert thresholds
   * from with the calibrated means of the fitting faces (the base's figures describe uncalibrated
   * scores); a real-only fit keeps them, since it moves the real faces to the threshold they give.
   */
  static Path writeManifest(ModelStore store, ModelManifest base, String newId,
      ModelManifest.Calibration cal, double[] after, int[] y, Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode doc = (ObjectNode) json.readTree(ModelManifest.text(base.id(), store.userDir()));
    doc.put("id", newId);
    doc.set("calibration", json.valueToTree(cal));
    if ("nll".equals(cal.method())) {
      ObjectNode metrics = doc.with("metrics");
      List<String> stale = new ArrayList<>();
      metrics.fieldNames().forEachRemaining(k -> {
        if (k.startsWith("held_out_mean_p_fake_")) {
          stale.add(k);
        }
      });
      metrics.remove(stale);
      double[] sum = new double[2];
      int[] n = new int[2];
      for (int i = 0; i < after.length; i++) {
        sum[y[i]] += after[i];
        n[y[i]]++;
      }
      metrics.put("held_out_mean_p_fake_real", round(sum[0] / n[0], 4));
      metrics.put("held_out_mean_p_fake_forged", round(sum[1] / n[1], 4));
    }
    byte[] bytes = json.writeValueAsBytes(doc);
    ModelManifest.parse(bytes, newId + ".json"); // never write a manifest that does not load
    Files.createDirectories(dir);
    Path dest = dir.resolve(newId + ".json");
    Path tmp = Files.createTempFile(dir, ".calibrate", ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return dest;
  }

  /** Eight hex digits of SHA-256 over the fitting data and rule: the same footage, the same id. */
  static String digest(double[] z, int[] y, String method, double fpr, Double target) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer b = ByteBuffer.allocate(12 * z.length);
      for (int i = 0; i < z.length; i++) {
        b.putDouble(z[i]).putInt(y[i]);
      }
      md.update(b.array());
      md.update((method + fpr + target).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest()).substring(0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double round(double v, int places) {
    double s = Math.pow(10, places);
    return Math.round(v * s) / s;
  }

  /**
   * The raw logit of every face in a directory's footage, detected, cropped and scored as the
   * detect stage does.
   */
  static final class FaceLogits implements AutoCloseable {
    private final BlazeFaceDetector detector;
    private final DeepfakeClassifier classifier;
    private final DecodeConfig decode;
    private final int maxFrames;

    FaceLogits(ModelStore store, ModelManifest model, Map<String, String> env, int maxFrames)
        throws InferenceException {
      BackendOptions options = BackendOptions.defaults(store.cacheDir());
      String det = Settings.DETECTOR.read(env);
      this.detector = new BlazeFaceDetector(store.manifest(det), store.open(det, options),
          Settings.MIN_FACE_SCORE.read(env));
      this.classifier = DeepfakeClassifier.of(model, store.open(model.id(), options));
      this.decode = DecodeConfig.fromEnv(env, new KafkaSettings("127.0.0.1:9"));
      this.maxFrames = maxFrames;
    }

    /** Logits of every face of every image and sampled video frame under {@code dir}. */
    double[] logits(Path dir) throws Exception {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(dir)) {
        files = walk.filter(Files::isRegularFile)
            .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
      }
      List<Double> out = new ArrayList<>();
      for (Path f : files) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        if (IMAGE_TYPES.contains(ext)) {
          RgbImage image;
          try {
            image = RgbImage.read(f);
          } catch (IOException e) {
            throw new Refused(f + ": not a readable image (" + e.getMessage() + ")");
          }
          add(image, out);
        } else {
          video(f, out);
        }
      }
      return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void add(RgbImage image, List<Double> out) throws InferenceException {
      List<Face> faces = detector.detect(image);
      if (!faces.isEmpty()) {
        for (double z : classifier.logits(DeepfakeClassifier.crops(image, faces))) {
          out.add(z);
        }
      }
    }

    private void video(Path file, List<Double> out) throws Exception {
      String[] failure = {null};
      int[] frames = {0};
      DecodeOutput sink = new DecodeOutput() {
        @Override
        public void event(VideoEvent e) {
          if (e.hasFailure()) {
            failure[0] = e.getFailure().getReason();
          }
        }

        @Override
        public void frame(FrameRecord f) {
          if (frames[0]++ < maxFrames) {
            try {
              add(FrameImages.toRgb(f), out);
            } catch (InferenceException e) {
              throw new IllegalStateException(e.getMessage(), e);
            }
          }
        }

        @Override
        public void burst(Burst b) { }

        @Override
        public void flush() { }
      };
      new VideoDecoder(decode, "calibrate").decode(VideoJob.newBuilder().setVideoId("calibrate")
          .setSourceUri(file.toAbsolutePath().toString()).build(), sink);
      if (failure[0] != null) {
        throw new Refused(file + ": not a readable video or PNG/JPEG image (" + failure[0] + ")");
      }
    }

    @Override
    public void close() {
      detector.close();
      classifier.close();
    }
  }
}
