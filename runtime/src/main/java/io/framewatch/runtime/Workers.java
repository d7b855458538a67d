package io.framewatch.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** A fixed set of {@link ConsumerLoop}s, one thread each, closed together. */
public final class Workers implements AutoCloseable {
  private final List<ConsumerLoop> loops = new ArrayList<>();

  /**
   * Starts {@code n} loops on named threads.
   *
   * @param name thread name prefix, e.g. {@code detect}
   * @param n number of loops (consumers in the group)
   * @param factory builds loop {@code i}
   */
  public Workers(String name, int n, IntFunction<ConsumerLoop> factory) {
    try {
      for (int i = 0; i < n; i++) {
        ConsumerLoop loop = factory.apply(i);
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

  @Override
  public void close() {
    loops.forEach(ConsumerLoop::close);
  }
}
