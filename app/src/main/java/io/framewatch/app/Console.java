package io.framewatch.app;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The CLI's user output: progress bars, the verdict table and stage timings. */
final class Console {
  private static final int BAR = 30;

  private final PrintStream out;
  private final boolean interactive;
  private int drawnLines;
  private long lastPlain;

  Console(PrintStream out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  void line(String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
  }

  /** Redraws one progress bar per video (in place on a terminal, every 5 s otherwise). */
  void progress(List<String> names, List<JsonObject> states, boolean force) {
    long now = System.currentTimeMillis();
    if (!interactive && !force && now - lastPlain < 5000) {
      return;
    }
    lastPlain = now;
    if (interactive && drawnLines > 0) {
      out.print("\033[" + drawnLines + "A");
    }
    for (int i = 0; i < names.size(); i++) {
      JsonObject s = states.get(i);
      long done = s.getLong("framesAnalyzed", 0L);
      Long expected = s.getLong("framesExpected");
      long total = expected != null ? expected : s.getLong("framesEstimated", 0L);
      double frac = total > 0 ? Math.min(1.0, (double) done / total) : 0;
      int fill = (int) Math.round(frac * BAR);
      out.println(String.format(Locale.ROOT, "  %-16s [%s%s] %5d/%-5s %-7s%s",
          shorten(names.get(i), 16), "#".repeat(fill), ".".repeat(BAR - fill), done,
          total > 0 ? (expected != null ? "" : "~") + total : "?", s.getString("status"),
          interactive ? "\033[K" : ""));
    }
    drawnLines = names.size();
    out.flush();
  }

  /** The verdict table. */
  void verdicts(List<String> names, List<JsonObject> vs) {
    line("");
    line("%-16s %-7s %9s %9s %7s %6s %8s %s", "video", "status", "analysed", "expected",
        "faces%", "faces", "P(fake)", "model");
    for (int i = 0; i < names.size(); i++) {
      JsonObject v = vs.get(i);
      long analysed = v.getLong("framesAnalyzed", 0L);
      long withFaces = v.getLong("framesWithFaces", 0L);
      Double score = v.getDouble("score");
      line("%-16s %-7s %9d %9s %6.1f%% %6d %8s %s", shorten(names.get(i), 16),
          v.getString("status"), analysed, String.valueOf(v.getLong("framesExpected")),
          analysed > 0 ? 100.0 * withFaces / analysed : 0.0, v.getLong("facesDetected", 0L),
          score == null ? "n/a" : String.format(Locale.ROOT, "%.3f", score),
          v.getString("model") + ("none".equals(v.getString("model"))
              ? " (no deepfake classifier installed: faces found, not judged)" : ""));
      if (v.getString("error") != null) {
        line("  error: %s", v.getString("error"));
      }
    }
  }

  /**
   * How much higher the forged clip's mean P(fake) must be than the real clip's for the demo to
   * call it clearly above: a fifth of the scale, far outside the clip-to-clip spread of the real
   * person's scores.
   */
  static final double CLEAR_MARGIN = 0.2;

  /**
   * The demo's deepfake line: the forged clip's mean P(fake) against the real clip of the same
   * (held-out) person.
   *
   * @return whether the forged clip scored clearly ({@link #CLEAR_MARGIN}) above the real one
   */
  boolean forgedVersusReal(String forged, JsonObject f, String real, JsonObject r) {
    Double pf = f.getDouble("score");
    Double pr = r.getDouble("score");
    line("");
    if (pf == null || pr == null) {
      line("deepfake  no scores (no classifier installed): cannot compare %s with %s", forged,
          real);
      return true;
    }
    boolean above = pf - pr >= CLEAR_MARGIN;
    line("deepfake  %s mean P(fake) %.3f vs %s %.3f (same person, held out of training):"
        + " %s", forged, pf, real, pr, above ? String.format(Locale.ROOT,
            "forged clip scored %.3f higher", pf - pr)
            : String.format(Locale.ROOT, "FORGED CLIP NOT SCORED CLEARLY (by %.1f) ABOVE THE REAL ONE",
                CLEAR_MARGIN));
    return above;
  }

  /** Per-video stage timings from the verdicts. */
  void timings(List<String> names, List<JsonObject> vs, long uploadMs) {
    line("");
    line("%-16s %9s %11s %11s %12s %12s %10s", "video", "decode s", "decoded fps",
        "detect ms/f", "end-to-end s", "analysed f/s", "media s");
    for (int i = 0; i < names.size(); i++) {
      JsonObject v = vs.get(i);
      JsonObject t = v.getJsonObject("timings", new JsonObject());
      long analysed = v.getLong("framesAnalyzed", 0L);
      double decodeS = t.getLong("decodeMs", 0L) / 1000.0;
      double e2e = t.getLong("elapsedMs", 0L) / 1000.0;
      JsonObject probe = v.getJsonObject("probe", new JsonObject());
      line("%-16s %9.2f %11.0f %11.2f %12.2f %12.1f %10.1f", shorten(names.get(i), 16), decodeS,
          decodeS > 0 ? t.getLong("framesDecoded", 0L) / decodeS : 0.0,
          analysed > 0 ? t.getDouble("analysisMsTotal", 0.0) / analysed : 0.0, e2e,
          e2e > 0 ? analysed / e2e : 0.0, probe.getDouble("durationSeconds", 0.0));
    }
    line("uploads took %.2f s in total", uploadMs / 1000.0);
  }

  private static String shorten(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
