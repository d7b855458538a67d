package io.framewatch.decode;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real clips, and clips derived from them with the bundled ffmpeg binary. */
final class TestMedia {
  private TestMedia() {}

  static Path clip(SampleMedia m) throws IOException {
    return m.fetch(ModelStore.fromEnvironment().cacheDir());
  }

  /** The bundled ffmpeg executable. */
  static String ffmpeg() {
    return FfmpegCli.path();
  }

  /** Runs the bundled ffmpeg with {@code args} and waits for it. */
  static void ffmpeg(String... args) throws IOException, InterruptedException {
    FfmpegCli.run(args);
  }

  /** A copy of {@code src}'s first seconds re-encoded with libx264 at a given CRF. */
  static Path reencode(Path src, int crf, int seconds, Path dir) throws Exception {
    Path out = dir.resolve("crf" + crf + ".mp4");
    ffmpeg("-i", src.toString(), "-t", Integer.toString(seconds), "-an", "-c:v", "libx264",
        "-preset", "veryfast", "-crf", Integer.toString(crf), out.toString());
    return out;
  }

  /**
   * An AVI whose video stream carries an unknown FourCC: FFmpeg demuxes it but has no decoder
   * (made from an MPEG-4 part 2 AVI by renaming its FourCC).
   */
  static Path unsupportedCodec(Path src, Path dir) throws Exception {
    Path ok = dir.resolve("mpeg4.avi");
    ffmpeg("-i", src.toString(), "-t", "2", "-an", "-c:v", "mpeg4", ok.toString());
    byte[] d = Files.readAllBytes(ok);
    byte[] from = "FMP4".getBytes(StandardCharsets.US_ASCII);
    int replaced = 0;
    for (int i = 0; i + 4 <= d.length; i++) {
      if (d[i] == from[0] && d[i + 1] == from[1] && d[i + 2] == from[2] && d[i + 3] == from[3]) {
        d[i] = 'Z';
        d[i + 1] = 'Z';
        d[i + 2] = 'Z';
        d[i + 3] = 'Z';
        replaced++;
      }
    }
    if (replaced == 0) {
      throw new IOException("no FMP4 FourCC in " + ok);
    }
    return Files.write(dir.resolve("unknown-codec.avi"), d);
  }
}
