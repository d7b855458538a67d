package io.framewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code bench detect} on a real, short run: one row per classifier, the worst ratio last. */
class DetectBenchTest {
  @Test
  void shouldReportEachClassifierAtTheBatchAndEndWithTheWorstRatio() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    double worst = new DetectBench(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        ModelStore.fromEnvironment()).run(List.of("caddm-demo", "fst-demo"), 3, 0.1, 1, 1);
    String out = bytes.toString(StandardCharsets.UTF_8);
    for (String model : List.of("caddm-demo", "fst-demo")) {
      assertEquals(1, out.lines().filter(l -> l.matches(model + "\\s+3\\s.*")).count(), out);
    }
    String last = out.lines().reduce((a, b) -> b).orElseThrow();
    assertEquals(String.format(Locale.ROOT, "ratio %.3f", worst), last);
    assertTrue(worst > 0, out);
  }
}
