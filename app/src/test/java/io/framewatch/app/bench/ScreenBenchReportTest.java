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
  void shouldCompareTheWarmSkipModeUploadsWithTheNorefDecodesBeforeThemAndPrintTheScoreDifference() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ScreenBench bench = new ScreenBench(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    JsonObject skipVerdict = new JsonObject().put("decisionScore", 0.25).put("framesAnalyzed", 600);
    List<ScreenBench.Mode> modes = List.of(
        new ScreenBench.Mode("auto", List.of(
            new ScreenBench.Timed("auto", 15.0, skipVerdict, null),
            new ScreenBench.Timed("auto", 9.0, skipVerdict, null),
            new ScreenBench.Timed("auto", 10.0, skipVerdict, null),
            new ScreenBench.Timed("auto", 12.0, skipVerdict, null)), List.of(5.0, 6.0, 7.0, 6.0)),
        new ScreenBench.Mode("off", List.of(
            new ScreenBench.Timed("off", 20.0, new JsonObject().put("decisionScore", 0.26)
                .put("framesAnalyzed", 600), null)), List.of(10.0)));
    // 300 s: the warm skip-mode uploads' median 10 s is 30x, the noref runs' median 6 s 50x -> 0.6;
    // the first upload (15 s) does not count
    double ratio = bench.report(300, modes);
    assertEquals(0.6, ratio, 1e-9);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains(" 30.0x real time  score 0.2500"), out);
    assertTrue(out.contains("(median of 3; first upload 15.0 s, 20.0x)"), out);
    assertTrue(out.contains(" 15.0x real time  score 0.2600"), out);
    assertTrue(out.contains("difference between the modes 0.0100"), out);
    assertTrue(out.contains("-skip_frame noref 6.0 s (50.0x), full 10.0 s (30.0x)"), out);
    assertTrue(out.endsWith("ratio 0.600\n"), out);
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
