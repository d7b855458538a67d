package io.framewatch.app.bench;

import io.framewatch.app.ApiClient;
import io.framewatch.decode.FrameSampler;
import io.framewatch.runtime.KafkaSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code framewatch bench live --streams N[,N2,...] --seconds S}: N real clips served as live
 * streams on loopback in real time ({@link LoopbackStream}), started through
 * {@code POST /v1/streams} of a running stack as a user would, run for S seconds and stopped
 * through {@code POST /v1/streams/{id}/stop}. Per stream it reports the samples the decoder
 * reported against the wall-clock slots (dropped), the frame-to-verdict-update and the
 * glass-to-alert latencies (p50/p95/max; see {@link StreamFigures}), and per N the CPU the
 * process used while the streams ran. Every fourth stream, starting with the first, plays the
 * forged clip, so its alerts give the glass-to-alert figure; the others play real footage.
 *
 * <p>Each N runs on the same stack with fresh streams: a round starts only once every stream of
 * the previous one is FINAL, so no backlog carries over, and the broker and model sessions are not
 * started again. Ends with {@code largest N with p95 <= 2 s: N}, judged by the alert p95 of the
 * round, or its verdict-update p95 when it raised no alert.
 */
public final class LiveBench {
  /** The latency budget the sweep is judged by. */
  static final long P95_LIMIT_MS = 2_000;
  /** Every this many streams, starting with the first, one plays the forged clip. */
  static final int FORGED_EVERY = 4;

  private static final double FPS = FrameSampler.DEFAULT_FPS;

  private final PrintStream out;
  private final ApiClient api;
  private final KafkaSettings kafka;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /**
   * @param out where the figures go
   * @param api the running stack's API
   * @param kafka its cluster, for reading verdicts, alerts and events back
   */
  public LiveBench(PrintStream out, ApiClient api, KafkaSettings kafka) {
    this.out = out;
    this.api = api;
    this.kafka = kafka;
  }

  /** A clip a stream plays. */
  record Clip(Path path, boolean forged) {
    String name() {
      return path.getFileName().toString();
    }
  }

  /** One N: its streams' figures, the process CPU while they ran and how long they took to end. */
  private record Round(int n, List<Clip> clips, List<StreamFigures> streams, double cores,
      double machine, double drainS, boolean allEnded) {
    List<Long> all(boolean alerts) {
      return streams.stream().flatMap(s -> (alerts ? s.alertMs() : s.verdictMs()).stream())
          .toList();
    }

    /** The p95 the round is judged by: of its alerts, or of its verdict updates without any. */
    Latency judged() {
      Latency a = Latency.of(all(true));
      return a.count() > 0 ? a : Latency.of(all(false));
    }

    boolean judgedByAlerts() {
      return Latency.of(all(true)).count() > 0;
    }

    boolean passes() {
      Latency j = judged();
      return j.count() > 0 && j.p95() <= P95_LIMIT_MS;
    }
  }

  /**
   * Which clip stream {@code i} (0-based) of {@code n} plays: the forged one for every
   * {@link #FORGED_EVERY}-th stream from the first (when there is a forged clip), the real ones in
   * turn otherwise.
   */
  static List<Clip> plan(int n, List<Path> real, Path forged) {
    List<Clip> clips = new ArrayList<>();
    int r = 0;
    for (int i = 0; i < n; i++) {
      if (forged != null && i % FORGED_EVERY == 0) {
        clips.add(new Clip(forged, true));
      } else {
        clips.add(new Clip(real.get(r++ % real.size()), false));
      }
    }
    return clips;
  }

  /**
   * Runs every N in turn.
   *
   * @param counts stream counts, in the order to run them
   * @param seconds how long each N runs live
   * @param real real clips
   * @param forged the forged clip, or null when there is none
   * @return the largest N whose judged p95 stays within {@link #P95_LIMIT_MS}, if any
   */
  public OptionalInt run(List<Integer> counts, int seconds, List<Path> real, Path forged)
      throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(Locale.ROOT, "live: %s concurrent stream(s), %d s each, real clips served in real"
        + " time (ffmpeg -re, looped) over loopback HTTP%n", counts, seconds);
    out.printf(Locale.ROOT, "machine   %d cores (Runtime.availableProcessors), shared by the"
        + " stages, the broker and the ffmpeg sources%n", cores);
    out.printf(Locale.ROOT, "clips     %s%n", forged == null
        ? "no stream is forged, so no alert is expected: the figure is judged by verdict updates"
        : "streams 1, 5, 9, ... play " + forged.getFileName() + " (forged: glass-to-alert);"
            + " the others " + real.stream().map(p -> p.getFileName().toString())
                .collect(Collectors.joining(", ")) + " in turn");
    out.printf(Locale.ROOT, "latency   ms from the decode wall clock of the newest frame counted"
        + " to a read_committed consumer in this JVM receiving the verdict update"
        + " (Verdict.last_frame_decoded_ms, when it advances) or the alert"
        + " (Alert.trigger_decoded_ms)%n");
    List<Round> rounds = new ArrayList<>();
    for (int n : counts) {
      Round r = round(n, seconds, plan(n, real, forged));
      print(r);
      rounds.add(r);
    }
    return summary(rounds);
  }

  private Round round(int n, int seconds, List<Clip> clips) throws Exception {
    List<LoopbackStream> sources = new ArrayList<>();
    try (LiveTap tap = new LiveTap(kafka)) {
      for (Clip c : clips) {
        sources.add(new LoopbackStream(c.path()));
      }
      List<String> ids = new ArrayList<>();
      long[] postMs = new long[n];
      long[] stopMs = new long[n];
      long cpu0 = os.getProcessCpuTime();
      os.getCpuLoad(); // the machine's load is measured from here
      long t0 = System.nanoTime();
      out.printf(Locale.ROOT, "%nN=%d  starting %d stream(s) through POST /v1/streams, stopping"
          + " them after %d s%n", n, n, seconds);
      for (int i = 0; i < n; i++) {
        postMs[i] = System.currentTimeMillis();
        try {
          ids.add(api.startStream(sources.get(i).url()));
        } catch (IOException e) {
          throw new BenchFailure("POST /v1/streams of stream " + (i + 1) + " failed: "
              + e.getMessage());
        }
      }
      // the run itself: wake once a second to sample the machine's load
      long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
      double loadSum = 0;
      int loads = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(1_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        double load = os.getCpuLoad();
        if (load >= 0) {
          loadSum += load;
          loads++;
        }
      }
      long cpu1 = os.getProcessCpuTime();
      double wallS = (System.nanoTime() - t0) / 1e9;
      for (int i = 0; i < n; i++) {
        stopMs[i] = System.currentTimeMillis();
        try {
          api.stopStream(ids.get(i));
        } catch (IOException e) {
          throw new BenchFailure("stopping stream " + (i + 1) + " failed: " + e.getMessage());
        }
      }
      long stopped = System.nanoTime();
      Duration limit = Duration.ofSeconds(Math.max(120, seconds));
      while (!ids.stream().allMatch(tap::ended)
          && System.nanoTime() - stopped < limit.toNanos()) {
        Thread.sleep(100);
      }
      double drainS = (System.nanoTime() - stopped) / 1e9;
      List<StreamFigures> figures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        StreamFigures f = StreamFigures.of(tap.of(ids.get(i)), postMs[i], stopMs[i], FPS);
        figures.add(f);
        if (f.samples() == 0) {
          String why = sources.get(i).lastError();
          out.printf(Locale.ROOT, "  stream %d (%s) gave no samples%s%n", i + 1,
              clips.get(i).name(), why.isEmpty() ? "" : "; its source: " + why);
        }
      }
      boolean allEnded = ids.stream().allMatch(tap::ended);
      double cores = (cpu1 - cpu0) / 1e9 / wallS;
      return new Round(n, clips, figures, cores, loads > 0 ? loadSum / loads : -1, drainS,
          allEnded);
    } finally {
      sources.forEach(LoopbackStream::close);
    }
  }

  private void print(Round r) {
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(Locale.ROOT, "N=%d  framewatch process %.2f cores busy (%.0f %% of %d; the ffmpeg"
        + " sources not included) while the streams ran, machine %s; %s %.1f s after the stop%n",
        r.n(), r.cores(), 100 * r.cores() / cores, cores, r.machine() < 0 ? "n/a"
            : String.format(Locale.ROOT, "%.0f %% busy", 100 * r.machine()),
        r.allEnded() ? "every stream FINAL" : "NOT every stream FINAL (the next N may share the"
            + " machine with this backlog)", r.drainS());
    String head = "  %-3s %-20s %7s %7s %6s %6s | %7s %6s %6s %6s | %6s %6s %6s %6s | %s%n";
    out.printf(Locale.ROOT, head, "#", "clip", "samples", "dropped", "first", "decode",
        "updates", "p50", "p95", "max", "alerts", "p50", "p95", "max", "status");
    out.printf(Locale.ROOT, head, "", "", "", "", "s", "x real", "verdict", "ms", "ms", "ms",
        "raised", "ms", "ms", "ms", "");
    for (int i = 0; i < r.streams().size(); i++) {
      StreamFigures f = r.streams().get(i);
      Clip c = r.clips().get(i);
      Latency v = Latency.of(f.verdictMs());
      Latency a = Latency.of(f.alertMs());
      out.printf(Locale.ROOT, "  %-3d %-20s %7d %7d %6s %6s | %7d %s | %6d %s | %s%s%n", i + 1,
          shorten(c.name() + (c.forged() ? " *" : ""), 20), f.samples(), f.dropped(),
          f.firstSampleS() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", f.firstSampleS()),
          f.realtime() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", f.realtime()),
          v.count(), v.columns(6), f.raised(),
          a.columns(6), f.status(), f.ended() ? "" : " (no EndOfVideo)");
    }
    Latency v = Latency.of(r.all(false));
    Latency a = Latency.of(r.all(true));
    long samples = r.streams().stream().mapToLong(StreamFigures::samples).sum();
    long dropped = r.streams().stream().mapToLong(StreamFigures::dropped).sum();
    out.printf(Locale.ROOT, "  %-3s %-20s %7d %7d %6s %6s | %7d %s | %6d %s |%n", "all",
        "(* forged)", samples, dropped, "", "", v.count(), v.columns(6),
        r.streams().stream().mapToInt(StreamFigures::raised).sum(), a.columns(6));
  }

  private OptionalInt summary(List<Round> rounds) {
    out.println();
    out.println("summary (ms; alerts are expected from the forged streams only)");
    out.printf(Locale.ROOT, "  %4s %8s %8s %8s | %-20s | %-20s | %6s %8s | %s%n", "N",
        "samples", "dropped", "decode", "verdict p50/p95/max", "alert p50/p95/max", "cores",
        "machine", "p95 <= " + P95_LIMIT_MS / 1000 + " s");
    out.printf(Locale.ROOT, "  %4s %8s %8s %8s | %-20s | %-20s | %6s %8s |%n", "", "", "",
        "slowest", "", "", "", "");
    for (Round r : rounds) {
      long samples = r.streams().stream().mapToLong(StreamFigures::samples).sum();
      long expected = r.streams().stream().mapToLong(StreamFigures::expected).sum();
      Latency j = r.judged();
      double slowest = r.streams().stream().mapToDouble(StreamFigures::realtime)
          .filter(x -> x >= 0).min().orElse(-1);
      out.printf(Locale.ROOT, "  %4d %8d %7.1f%% %8s | %-20s | %-20s | %6.2f %8s | %s%n", r.n(),
          samples, expected > 0 ? 100.0 * (expected - samples) / expected : 0.0,
          slowest < 0 ? "-" : String.format(Locale.ROOT, "%.2fx", slowest),
          triple(Latency.of(r.all(false))), triple(Latency.of(r.all(true))), r.cores(),
          r.machine() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * r.machine()),
          j.count() == 0 ? "no figures" : (r.passes() ? "yes" : "no") + " ("
              + (r.judgedByAlerts() ? "alert" : "verdict") + " p95 " + j.p95() + ")");
    }
    OptionalInt best = rounds.stream().filter(Round::passes).mapToInt(Round::n).max();
    boolean gap = best.isPresent() && rounds.stream()
        .anyMatch(r -> r.n() < best.getAsInt() && !r.passes());
    out.printf(Locale.ROOT, "largest N with p95 <= %d s: %s%s%n", P95_LIMIT_MS / 1000,
        best.isPresent() ? Integer.toString(best.getAsInt()) : "none",
        gap ? " (a smaller N did not pass: the machine's load varied)" : "");
    return best;
  }

  private static String triple(Latency l) {
    return l.count() == 0 ? "-" : l.p50() + "/" + l.p95() + "/" + l.max();
  }

  private static String shorten(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
