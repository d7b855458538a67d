package io.framewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The count lists of {@code bench scale --workers} and {@code bench live --streams}. */
class BenchCountsTest {

  @Test
  void shouldReadDistinctPositiveCountsInTheOrderGiven() {
    assertEquals(List.of(1, 4, 8, 16), BenchCommand.counts("1,4,8,16"));
    assertEquals(List.of(8, 2), BenchCommand.counts(" 8 , 2"));
    assertEquals(List.of(3), BenchCommand.counts("3"));
  }

  @Test
  void shouldRefuseRepeatsZeroesAndWords() {
    for (String bad : List.of("1,1", "0", "-2", "1,,2", "", "four", "1.5")) {
      assertEquals(List.of(), BenchCommand.counts(bad), bad);
    }
  }
}
