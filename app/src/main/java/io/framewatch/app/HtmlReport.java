package io.framewatch.app;

import io.framewatch.ingest.dashboard.Dashboard;
import io.framewatch.ingest.dashboard.WebAssets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTML report of one video ({@code framewatch analyze FILE --report OUT}): one file that
 * opens offline, with uPlot, the dashboard's chart script ({@code video.js}) and style sheet,
 * and the video's JSON as {@code GET /v1/videos/{id}} gives it (verdict, tracks, timeline,
 * alerts) inlined. It shows what the dashboard shows for that video.
 */
final class HtmlReport {
  private static final Pattern SLOT = Pattern.compile("\\{\\{([A-Z_]+)}}");
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private HtmlReport() {}

  /**
   * Writes the report of {@code video} to {@code out} (whole or not at all).
   *
   * @param cacheDir the framewatch cache, where uPlot is fetched and verified
   */
  static void write(Path out, JsonObject video, Path cacheDir) throws IOException {
    String html = render(video, Files.readString(WebAssets.UPLOT_JS.fetch(cacheDir)),
        Files.readString(WebAssets.UPLOT_CSS.fetch(cacheDir)), Instant.now());
    Path target = out.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, html);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The report's HTML, given uPlot's script and style sheet. */
  static String render(JsonObject video, String uplotJs, String uplotCss, Instant generated) {
    String title = video.getString("fileName", video.getString("videoId", "video"));
    Map<String, String> slots = new HashMap<>();
    slots.put("TITLE", escapeHtml(title));
    slots.put("GENERATED", WHEN.format(generated));
    slots.put("DATA", scriptJson(video));
    slots.put("UPLOT_JS", inline(uplotJs, "</script"));
    slots.put("VIDEO_JS", inline(Dashboard.file("video.js"), "</script"));
    slots.put("UPLOT_CSS", inline(uplotCss, "</style"));
    slots.put("PAGE_CSS", inline(Dashboard.file("framewatch.css"), "</style"));
    // one pass, so text put into one slot is never read as another slot
    Matcher m = SLOT.matcher(template());
    StringBuilder html = new StringBuilder();
    while (m.find()) {
      String value = slots.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("report template has an unknown slot " + m.group());
      }
      m.appendReplacement(html, Matcher.quoteReplacement(value));
    }
    return m.appendTail(html).toString();
  }

  /**
   * Whether the video's timeline and alert history have caught up with its verdict: each track
   * has a point per frame it was found in, and the alerts include as many raised as the verdict
   * counts. The API's views of {@code video.timeline} and {@code alerts} follow their topics
   * on their own, so right after a FINAL verdict they may still be behind. A video without a
   * {@code timeline} field has nothing to wait for.
   */
  static boolean complete(JsonObject video) {
    JsonObject timeline = video.getJsonObject("timeline");
    if (timeline == null) {
      return true;
    }
    Map<Integer, Integer> points = new HashMap<>();
    for (Object t : timeline.getJsonArray("tracks", new JsonArray())) {
      JsonObject track = (JsonObject) t;
      points.put(track.getInteger("id"), track.getJsonArray("points", new JsonArray()).size());
    }
    for (Object t : video.getJsonArray("tracks", new JsonArray())) {
      JsonObject track = (JsonObject) t;
      if (points.getOrDefault(track.getInteger("id"), 0) < track.getLong("frames", 0L)) {
        return false;
      }
    }
    long raised = video.getJsonArray("alerts", new JsonArray()).stream()
        .filter(a -> "RAISED".equals(((JsonObject) a).getString("transition"))).count();
    return raised >= video.getInteger("alertsRaised", 0);
  }

  /**
   * The video's JSON from the API once {@link #complete}, or as it is after {@code timeout}
   * (then {@code warn} is told why).
   */
  static JsonObject awaitComplete(ApiClient api, String videoId, Duration timeout,
      Consumer<String> warn) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject video = api.status(videoId);
    while (!complete(video)) {
      if (System.nanoTime() > deadline) {
        warn.accept("the API's timeline or alerts of " + videoId + " still had less than its"
            + " verdict counts after " + timeout.toSeconds() + " s (behind, or beyond what the"
            + " API keeps); the report shows them as they were");
        return video;
      }
      Thread.sleep(250);
      video = api.status(videoId);
    }
    return video;
  }

  /** JSON that cannot end its script element: '<', '>' and '&' become JSON escapes. */
  static String scriptJson(JsonObject video) {
    return video.encode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
  }

  static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&#39;");
  }

  private static String inline(String code, String end) {
    if (code.toLowerCase(Locale.ROOT).contains(end)) {
      throw new IllegalStateException("cannot inline code that contains " + end);
    }
    return code;
  }

  private static String template() {
    try (InputStream in = HtmlReport.class.getResourceAsStream("/framewatch/report/report.html")) {
      if (in == null) {
        throw new IllegalStateException("framewatch/report/report.html is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
