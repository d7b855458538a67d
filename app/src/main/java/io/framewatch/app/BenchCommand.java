package io.framewatch.app;

import io.framewatch.app.bench.InferenceBench;
import io.framewatch.app.bench.ScaleBench;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framewatch bench ...}: benchmarks that print figures and ratios. */
@Command(name = "bench", description = "Benchmarks measured against the raw tool in the same run.",
    subcommands = {BenchCommand.Inference.class, BenchCommand.Decode.class,
        BenchCommand.Scale.class})
final class BenchCommand {

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
      String err = null;
      List<Integer> counts = new java.util.ArrayList<>();
      for (String w : workers.split(",", -1)) {
        try {
          int k = Integer.parseInt(w.strip());
          if (k < 1 || counts.contains(k)) {
            throw new NumberFormatException();
          }
          counts.add(k);
        } catch (NumberFormatException e) {
          err = "--workers needs distinct process counts >= 1, comma-separated (e.g. 1,2); got '"
              + workers + "'";
          break;
        }
      }
      SampleMedia media = switch (clip) {
        case "franck" -> SampleMedia.FRANCK_MP4;
        case "cap12" -> SampleMedia.CAP12_MP4;
        case "cap13" -> SampleMedia.CAP13_MP4;
        default -> null;
      };
      if (!ScaleBench.STAGES.contains(stage)) {
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
      } catch (ScaleBench.BenchFailure e) {
        System.err.println("framewatch bench scale: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code bench decode FILE}. */
  @Command(name = "decode", description = "Decode fps of the worker vs the bundled ffmpeg CLI, and"
      + " frame-topic MiB/s vs a bare KafkaProducer; ends with 'ratio <decode ratio>'.")
  static final class Decode implements Callable<Integer> {
    @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "Video file.")
    java.nio.file.Path file;

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

  /** {@code bench inference}. */
  @Command(name = "inference", description = "Images/s of a bare ONNX Runtime session.run loop vs"
      + " framewatch's backend + dynamic batcher; ends with 'ratio <worst>'.")
  static final class Inference implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Manifest id.")
    String model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8",
        description = "Batch sizes (default 1,8).")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "3", description = "Seconds per side per round.")
    double seconds;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds (median).")
    int rounds;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads.")
    int threads;

    @Override
    public Integer call() throws Exception {
      new InferenceBench(System.out, ModelStore.fromEnvironment())
          .run(model, batches, seconds, rounds, threads);
      return 0;
    }
  }
}
