package io.framewatch.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stage's health as an orchestrator sees it: alive (restart me if not) and ready (send me work),
 * with a line per check.
 *
 * @param live the process can make progress (no worker died)
 * @param ready live, consumers joined their group, models loaded, broker reachable
 * @param checks what each check found, by name
 */
public record Health(boolean live, boolean ready, Map<String, String> checks) {
  /** Copies the checks. */
  public Health {
    checks = Map.copyOf(checks);
  }

  /** Live and ready. */
  public static Health up(String check, String detail) {
    return new Health(true, true, Map.of(check, detail));
  }

  /** Both this and {@code other}: live and ready only if both are. */
  public Health and(Health other) {
    Map<String, String> all = new LinkedHashMap<>(checks);
    all.putAll(other.checks);
    return new Health(live && other.live, ready && other.ready, all);
  }
}
