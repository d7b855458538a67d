package io.framewatch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VerdictAggregatorTest {

  @Test
  void shouldNameEveryClassifierThatJudgedTheVideoOnceAndSorted() {
    assertEquals("caddm-demo", VerdictAggregator.mergeModels("", "caddm-demo"));
    assertEquals("caddm-demo", VerdictAggregator.mergeModels("caddm-demo", "caddm-demo"));
    String both = VerdictAggregator.mergeModels("fst-demo", "caddm-demo");
    assertEquals("caddm-demo+fst-demo", both);
    assertEquals(both, VerdictAggregator.mergeModels(both, "fst-demo"));
    assertEquals(both, VerdictAggregator.mergeModels(both, "caddm-demo"));
  }
}
