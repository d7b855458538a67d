package io.framewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures {@code bench screen} prints, on a hand-computed case. */
class ScreenBenchReportTest {
  @Test
  void shouldCompareTheSkipModesSpeedWithTheNorefDecodeAndPrintTheScoreDifference() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ScreenBench bench = new ScreenBench(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<ScreenBench.Timed> runs = List.of(
        new ScreenBench.Timed("auto", 10.0, new JsonObject().put("decisionScore", 0.25)
            .put("framesAnalyzed", 600)),
        new ScreenBench.Timed("off", 20.0, new JsonObject().put("decisionScore", 0.26)
            .put("framesAnalyzed", 600)));
    // 300 s: the pipeline at 30x, ffmpeg noref at 50x -> 0.6
    double ratio = bench.report(300, runs, 10.0, 6.0);
    assertEquals(0.6, ratio, 1e-9);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains(" 30.0x real time  score 0.2500"), out);
    assertTrue(out.contains(" 15.0x real time  score 0.2600"), out);
    assertTrue(out.contains("difference between the modes 0.0100"), out);
    assertTrue(out.contains("full 10.0 s (30.0x), -skip_frame noref 6.0 s (50.0x)"), out);
    assertTrue(out.endsWith("ratio 0.600\n"), out);
  }
}
