package io.framewatch.app.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where this process's CPU time went between two moments, by thread name, from Linux's
 * {@code /proc/self/task/TID/stat} (user + system clock ticks, 100 a second). The embedded stack
 * runs every stage in this one JVM, so the threads' names tell the stages apart: decode's workers
 * and FFmpeg's own decoder threads, detect's workers (ONNX Runtime runs on them with one intra-op
 * thread), the sink's stream threads, the broker, the JIT compilers, the garbage collector. CPU of
 * threads that ended between the two snapshots is only in the process's total and is shown as
 * {@code ended}.
 */
public final class ThreadCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final double TICKS_PER_SECOND = 100.0;

  /** Stage of a thread name (Linux keeps the first 15 characters), first prefix that matches. */
  private static final List<String[]> GROUPS = List.of(
      new String[] {"decode", "framewatch-deco", "av:"},
      new String[] {"detect", "framewatch-dete"},
      new String[] {"sink", "framewatch-sink"},
      new String[] {"kafka", "data-plane-kafk", "kafka-", "group-coordinat", "quorum-",
          "executor-", "ExpirationReape", "TxnMarkerSende", "AddPartitionsT", "LogDirFailureH",
          "feature-zk", "controller-", "raft-", "broker-", "metadata-", "share-coord",
          "transaction-", "log-closing", "ReplicaFetcher", "kafka"},
      new String[] {"jit", "C1 CompilerThre", "C2 CompilerThre", "Sweeper"},
      new String[] {"gc", "GC Thread", "G1 "},
      new String[] {"api", "vert.x-", "ingest", "HttpClient"});

  private final Map<Integer, long[]> threads;
  private final Map<Integer, String> names;
  private final long process;

  private ThreadCpu(Map<Integer, long[]> threads, Map<Integer, String> names, long process) {
    this.threads = threads;
    this.names = names;
    this.process = process;
  }

  /** This process's threads now; null where {@code /proc} is not there (not Linux). */
  public static ThreadCpu now() {
    if (!Files.isDirectory(TASKS)) {
      return null;
    }
    Map<Integer, long[]> ticks = new LinkedHashMap<>();
    Map<Integer, String> names = new LinkedHashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(TASKS)) {
      for (Path task : dir) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended while we listed
        }
        int tid = Integer.parseInt(task.getFileName().toString());
        names.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
        ticks.put(tid, new long[] {ticks(stat)});
      }
      return new ThreadCpu(ticks, names, ticks(Files.readString(Path.of("/proc/self/stat"))));
    } catch (IOException e) {
      return null;
    }
  }

  /** utime + stime of a stat line; fields after the name, which may hold spaces and ')'. */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state): utime is field 14, stime field 15
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** The stage a thread name belongs to ({@code other} when none). */
  static String group(String name) {
    for (String[] g : GROUPS) {
      for (int i = 1; i < g.length; i++) {
        if (name.startsWith(g[i])) {
          return g[0];
        }
      }
    }
    return "other";
  }

  /** CPU seconds per stage from {@code before} to this snapshot, in a fixed order. */
  public Map<String, Double> since(ThreadCpu before) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String[] g : GROUPS) {
      out.put(g[0], 0.0);
    }
    out.put("other", 0.0);
    long live = 0;
    for (Map.Entry<Integer, long[]> t : threads.entrySet()) {
      long[] old = before.threads.get(t.getKey());
      long d = t.getValue()[0] - (old == null ? 0 : old[0]);
      live += d;
      out.merge(group(names.get(t.getKey())), d / TICKS_PER_SECOND, Double::sum);
    }
    out.put("ended", Math.max(0, process - before.process - live) / TICKS_PER_SECOND);
    out.put("total", (process - before.process) / TICKS_PER_SECOND);
    return out;
  }

  /** One line: {@code total 21.3 s: decode 6.1, detect 4.0, ...}. */
  public static String line(Map<String, Double> cpu) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.1f s of CPU:",
        cpu.get("total")));
    for (Map.Entry<String, Double> e : cpu.entrySet()) {
      if (!e.getKey().equals("total")) {
        s.append(String.format(Locale.ROOT, " %s %.1f", e.getKey(), e.getValue()));
      }
    }
    return s.toString();
  }
}
