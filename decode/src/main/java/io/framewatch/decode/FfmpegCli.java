package io.framewatch.decode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * The ffmpeg executable bundled with the FFmpeg preset (the same libraries the decoder uses), for
 * benchmarks, test sources and fixtures. Needs libpulse at run time: libavdevice links it, and
 * the executable itself links libavdevice, so extracting it without loading the JNI libraries
 * would not help. The launcher installs Debian's libpulse0 for {@code demo} and {@code test}.
 */
public final class FfmpegCli {
  private FfmpegCli() {}

  /** Path of the executable, unpacked into the JavaCPP cache on first use. */
  public static String path() {
    return Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
  }

  /**
   * Runs ffmpeg with {@code args} (after {@code -hide_banner -nostdin -y}) and returns its log.
   *
   * @throws IOException when it fails or runs longer than 10 minutes
   */
  public static String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(path(), "-hide_banner", "-nostdin", "-y"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("ffmpeg " + String.join(" ", args) + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException("ffmpeg " + String.join(" ", args) + " failed:\n" + log);
    }
    return log;
  }
}
