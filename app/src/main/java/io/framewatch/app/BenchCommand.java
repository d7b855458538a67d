package io.framewatch.app;

import io.framewatch.app.bench.InferenceBench;
import io.framewatch.inference.ModelStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code framewatch bench ...}: benchmarks that print figures and ratios. */
@Command(name = "bench", description = "Benchmarks measured against the raw tool in the same run.",
    subcommands = {BenchCommand.Inference.class, BenchCommand.Decode.class})
final class BenchCommand {

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
