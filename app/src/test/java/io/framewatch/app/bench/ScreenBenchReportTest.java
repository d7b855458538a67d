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
  private static final String DEFAULTS = "blazeface-front-128 + caddm-demo";

  /** What the bench prints (JUnit makes a fresh instance, so fresh streams, per test). */
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ScreenBench bench =
      new ScreenBench(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  @Test
  void shouldCompareTheWarmSkipModeUploadsWithTheNorefDecodesBeforeThemAndPrintTheScoreDifference() {
    JsonObject skipVerdict = new JsonObject().put("decisionScore", 0.25).put("framesAnalyzed", 600);
    List<ScreenBench.Mode> modes = List.of(
        mode(DEFAULTS, "auto", skipVerdict, List.of(15.0, 9.0, 10.0, 12.0),
            List.of(5.0, 6.0, 7.0)),
        mode(DEFAULTS, "off", new JsonObject().put("decisionScore", 0.26)
            .put("framesAnalyzed", 600), List.of(20.0, 20.0), List.of(10.0)));
    // 300 s: the measured skip-mode uploads' median 10 s is 30x, the noref runs' median 6 s 50x
    // -> 0.6; the warm-up upload (15 s) does not count
    double ratio = bench.report(300, modes);
    assertEquals(0.6, ratio, 1e-9);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains(" 30.0x real time  score 0.2500"), out);
    assertTrue(out.contains("(median of 3; first upload 15.0 s, 20.0x)"), out);
    assertTrue(out.contains(" 15.0x real time  score 0.2600"), out);
    assertTrue(out.contains("difference between the modes 0.0100"), out);
    assertTrue(out.contains("-skip_frame noref 6.0 s (50.0x), full 10.0 s (30.0x)"), out);
    assertTrue(out.endsWith("ratio 0.600\n"), out);
    bytes.reset();
    bench.round(300, 1, 3, modes.get(0).rounds().get(0), null);
    bench.round(300, 2, 3, modes.get(0).rounds().get(1), 5.0);
    out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("1/3 warm-up, not counted, upload -> FINAL  15.0 s   20.0x"), out);
    assertTrue(out.contains("2/3 ffmpeg noref  5.0 s, upload -> FINAL   9.0 s   33.3x"), out);
  }

  @Test
  void shouldEndWithTheWorstModelConfigurationAgainstTheMedianOfAllNorefDecodes() {
    JsonObject verdict = new JsonObject().put("decisionScore", 0.25).put("framesAnalyzed", 600);
    List<ScreenBench.Mode> modes = List.of(
        // 10 s; noref 6 s here, 8 s in the other stack: 7 s over the bench, 0.7
        mode(DEFAULTS, "auto", verdict, List.of(15.0, 10.0), List.of(6.0)),
        mode(DEFAULTS, "off", verdict, List.of(20.0, 20.0), List.of(10.0)),
        // 16 s against the same 7 s: 0.4375, the worst
        mode("blazeface-back-256 + caddm-demo", "auto", verdict, List.of(20.0, 16.0),
            List.of(8.0)));
    double ratio = bench.report(300, modes);
    assertEquals(0.4375, ratio, 1e-9);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("models    blazeface-front-128 + caddm-demo  skip mode 30.0x real time,"
        + " noref 42.9x (50.0x in the runs beside its uploads): 0.700"), out);
    assertTrue(out.contains("models    blazeface-back-256 + caddm-demo  skip mode 18.8x real"
        + " time, noref 42.9x (37.5x in the runs beside its uploads): 0.438"), out);
    // one score difference: only the defaults ran both modes
    assertEquals(1, out.split("difference between the modes", -1).length - 1, out);
    assertTrue(out.endsWith("ratio 0.438 (the worst of the 2 model configurations)\n"), out);
  }

  /**
   * Uploads taking {@code seconds} in turn, the first a warm-up, all with {@code verdict}, no CPU
   * figures.
   */
  private static ScreenBench.Mode mode(String models, String mode, JsonObject verdict,
      List<Double> seconds, List<Double> ffmpeg) {
    return new ScreenBench.Mode(models, mode, 1, seconds.stream()
        .map(t -> new ScreenBench.Timed(mode, t, verdict, null)).toList(), ffmpeg);
  }

  @Test
  void shouldSplitThisProcesssCpuTimeByTheStageTheThreadNamesBelongTo() throws Exception {
    assertEquals("decode", ThreadCpu.group("av:h264:df0"));
    assertEquals("decode", ThreadCpu.group("framewatch-deco"));
    assertEquals("detect", ThreadCpu.group("framewatch-dete"));
    assertEquals("kafka", ThreadCpu.group("data-plane-kafk"));
    assertEquals("jit", ThreadCpu.group("C2 CompilerThre"));
    assertEquals("other", ThreadCpu.group("java"));
    // a name with spaces and a parenthesis: the fields are counted from the last ')'
    assertEquals(7 + 5, ThreadCpu.ticks("12 (a b) c) R 1 2 3 4 5 6 7 8 9 10 7 5 0 20 0"));
    ThreadCpu before = ThreadCpu.now();
    org.junit.jupiter.api.Assumptions.assumeTrue(before != null, "no /proc here");
    Thread spin = new Thread(() -> {
      long end = System.nanoTime() + 300_000_000L;
      double x = 0;
      while (System.nanoTime() < end) {
        x += Math.sqrt(x + 1);
      }
      assertTrue(x > 0);
    }, "framewatch-detect-test");
    spin.start();
    spin.join();
    // the spinning thread has ended: its CPU is in the process's total, shown as ended
    java.util.Map<String, Double> cpu = ThreadCpu.now().since(before);
    assertTrue(cpu.get("ended") >= 0.2, cpu.toString());
    assertTrue(cpu.get("total") >= cpu.get("ended"), cpu.toString());
  }
}
