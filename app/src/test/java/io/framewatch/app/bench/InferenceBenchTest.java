package io.framewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench inference}: which models it measures, and its output on a real, short run. */
class InferenceBenchTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final InferenceBench bench = new InferenceBench(
      new PrintStream(bytes, true, StandardCharsets.UTF_8), ModelStore.fromEnvironment());

  @Test
  void shouldMeasureEveryShippedDetectorAndClassifierButNotTheSuperResolvers() {
    assertEquals(List.of("blazeface-front-128", "blazeface-back-256", "caddm-demo", "fst-demo"),
        bench.measuredModels());
  }

  @Test
  void shouldMeasureAModelThatCannotBatchAtBatchOneOnlyAndSaySo() throws Exception {
    double worst = bench.run(List.of("blazeface-front-128"), List.of(1, 8), 0.1, 1, 1);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("cannot batch: batch 1 only"), out);
    List<String> rows = out.lines().filter(l -> l.startsWith("blazeface-front-128 ")).toList();
    assertEquals(1, rows.size(), out);
    assertTrue(rows.get(0).matches("blazeface-front-128\\s+1\\s.*"), rows.get(0));
    String last = out.lines().reduce((a, b) -> b).orElseThrow();
    assertEquals(String.format(java.util.Locale.ROOT, "ratio %.3f", worst), last);
    assertTrue(worst > 0, out);
  }
}
