package io.framewatch.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A fixed set of {@link ConsumerLoop}s, one thread each, watched and closed together. When one
 * dies, {@code onDeath} is told (the stage runner then makes the process exit so that its
 * orchestrator restarts it).
 */
public final class Workers implements AutoCloseable {
  private final String name;
  private final List<ConsumerLoop<?, ?>> loops = new ArrayList<>();

  /**
   * Starts {@code n} loops on named threads.
   *
   * @param name thread name prefix, e.g. {@code detect}
   * @param n number of loops (consumers in the group)
   * @param factory builds loop {@code i}
   * @param onDeath told when a loop dies of an error
   */
  public Workers(String name, int n, IntFunction<ConsumerLoop<?, ?>> factory, Runnable onDeath) {
    this.name = name;
    try {
      for (int i = 0; i < n; i++) {
        ConsumerLoop<?, ?> loop = factory.apply(i);
        loop.onDeath(onDeath);
        loops.add(loop);
        Thread t = new Thread(loop, "framewatch-" + name + "-" + i);
        t.setDaemon(true);
        t.start();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Live while no loop died; ready once every loop joined its group. */
  public Health health() {
    Map<String, String> checks = new LinkedHashMap<>();
    boolean live = true;
    boolean ready = true;
    for (int i = 0; i < loops.size(); i++) {
      ConsumerLoop<?, ?> l = loops.get(i);
      ConsumerLoop.State s = l.state();
      String detail = s.name().toLowerCase(java.util.Locale.ROOT);
      if (s == ConsumerLoop.State.DEAD) {
        live = false;
        detail += ": " + l.cause();
      }
      ready &= s == ConsumerLoop.State.RUNNING;
      checks.put(name + "-worker-" + i, detail);
    }
    return new Health(live, live && ready, checks);
  }

  @Override
  public void close() {
    loops.forEach(ConsumerLoop::close);
  }
}
