package io.framewatch.app.bench;

import java.util.Collection;
import java.util.Locale;

/**
 * A latency distribution in milliseconds: count, p50, p95 and max by the nearest-rank rule (the
 * smallest value with at least p % of the values at or below it), so every figure is one that
 * was measured.
 *
 * @param count values
 * @param p50 median, or 0 when there are none
 * @param p95 95th percentile, or 0 when there are none
 * @param max largest, or 0 when there are none
 */
record Latency(int count, long p50, long p95, long max) {
  static final Latency NONE = new Latency(0, 0, 0, 0);

  /** The distribution of {@code values}. */
  static Latency of(Collection<Long> values) {
    if (values.isEmpty()) {
      return NONE;
    }
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Latency(v.length, rank(v, 50), rank(v, 95), v[v.length - 1]);
  }

  private static long rank(long[] sorted, int percent) {
    int r = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, r - 1)];
  }

  /** {@code "p50 p95 max"} in ms, right-aligned in columns of {@code width}; dashes when empty. */
  String columns(int width) {
    String f = "%" + width + "s";
    if (count == 0) {
      return String.format(Locale.ROOT, f + " " + f + " " + f, "-", "-", "-");
    }
    return String.format(Locale.ROOT, f + " " + f + " " + f, p50, p95, max);
  }
}
