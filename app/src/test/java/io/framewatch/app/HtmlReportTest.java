package io.framewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  private static final String HOSTILE = "</script><script>alert('x')</script>{{UPLOT_JS}}.mp4";

  private static JsonObject video(int points, int frames, int raisedAlerts, int alertsRaised) {
    JsonArray pts = new JsonArray();
    for (int i = 0; i < points; i++) {
      pts.add(new JsonArray().add(i * 0.5).add(0.25).add(i));
    }
    JsonArray alerts = new JsonArray();
    for (int i = 0; i < raisedAlerts; i++) {
      alerts.add(new JsonObject().put("alertId", "v#" + (i + 1)).put("transition", "RAISED"));
    }
    return new JsonObject().put("videoId", "v").put("fileName", HOSTILE).put("status", "FINAL")
        .put("tracks", new JsonArray().add(new JsonObject().put("id", 1).put("frames", frames)))
        .put("timeline", new JsonObject().put("tracks", new JsonArray()
            .add(new JsonObject().put("id", 1).put("points", pts))))
        .put("alerts", alerts).put("alertsRaised", alertsRaised);
  }

  @Test
  void shouldKeepAHostileFileNameInsideItsJsonAndOutOfTheMarkup() {
    String html = HtmlReport.render(video(3, 3, 0, 0), "var uPlot = 1;", ".uplot {}",
        Instant.EPOCH);
    // the only script end tags are the report's own four
    assertEquals(4, html.split("</script>", -1).length - 1);
    assertTrue(html.contains("&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)"), "title escaped");
    assertTrue(html.contains("\\u003c/script\\u003e"), "JSON escapes '<' and '>'");
    // a slot's text is not read as another slot
    assertTrue(html.contains("{{UPLOT_JS}}.mp4"));
    assertEquals(1, html.split("var uPlot = 1;", -1).length - 1);
    assertTrue(html.contains("1970-01-01 00:00:00 UTC"));
  }

  @Test
  void shouldInlineEverythingSoTheFileNeedsNoNetwork() {
    String html = HtmlReport.render(video(1, 1, 0, 0), "var uPlot = 1;", ".uplot {}",
        Instant.EPOCH);
    assertFalse(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find(),
        "no external script, style sheet or link");
    assertTrue(html.contains("FramewatchVideo"), "the dashboard's chart script is inlined");
    assertTrue(html.contains("grid-template-columns"), "the dashboard's style sheet is inlined");
  }

  @Test
  void shouldWaitUntilEveryTrackHasAPointPerFrameAndEveryRaisedAlertIsThere() {
    assertFalse(HtmlReport.complete(video(2, 3, 0, 0)), "a point missing");
    assertTrue(HtmlReport.complete(video(3, 3, 0, 0)));
    assertFalse(HtmlReport.complete(video(3, 3, 0, 1)), "the verdict counts a raised alert");
    assertTrue(HtmlReport.complete(video(3, 3, 1, 1)));
    assertTrue(HtmlReport.complete(new JsonObject().put("status", "FINAL")),
        "an API without a timeline has nothing to wait for");
  }
}
