package io.framewatch.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.VideoJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 short decode jobs in one JVM: resident memory (Java heap and native memory together, as the
 * kernel counts it) must reach a plateau, or grabbers, scalers or frames leak.
 */
class DecodeLeakTest {

  static long rssKib() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void shouldKeepResidentMemoryFlatOver500Jobs(@TempDir Path dir) throws Exception {
    Path clip = dir.resolve("one-second.mp4");
    TestMedia.ffmpeg("-i", TestMedia.clip(SampleMedia.CAP12_MP4).toString(), "-t", "1", "-an",
        "-c:v", "copy", clip.toString());
    VideoJob job = VideoJob.newBuilder().setVideoId("leak").setSourceUri(clip.toString()).build();
    VideoDecoder decoder = new VideoDecoder(VideoDecoderTest.config(8192L * 8192), "leak");
    List<Long> rss = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      VideoDecoderTest.Collect out = new VideoDecoderTest.Collect();
      decoder.decode(job, out);
      assertTrue(out.last().hasEnd(), "job " + i + ": " + out.last());
      if (i % 50 == 0) {
        System.gc();
        rss.add(rssKib());
      }
    }
    System.out.println("RSS KiB after every 50 jobs: " + rss);
    // Single samples swing by ~30 MiB with the garbage collector's heap sizing; compare means.
    // A leaked grabber or frame (>= 150 KiB each for these 400x300 frames) over the last 250
    // jobs would add >= 37 MiB.
    double early = rss.subList(1, 5).stream().mapToLong(Long::longValue).average().orElseThrow();
    double late = rss.subList(5, 10).stream().mapToLong(Long::longValue).average().orElseThrow();
    System.out.printf("RSS mean jobs 100-250: %.1f MiB, jobs 300-500: %.1f MiB%n", early / 1024,
        late / 1024);
    assertTrue(late - early < 16 * 1024,
        "RSS grew " + (late - early) / 1024 + " MiB between the halves: " + rss);
  }
}
