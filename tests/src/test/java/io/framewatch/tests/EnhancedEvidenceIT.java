package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.ApiClient;
import io.framewatch.app.bench.SrEvidenceBench;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.Burst;
import io.framewatch.proto.EnhancedFrame;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.runtime.Settings;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Super-resolved evidence on the whole stack: the demo's forged clip downscaled x3 (120x96, as
 * {@code framewatch bench sr-faces} makes it) is still flagged by caddm-demo; its flagged track's
 * face, far below {@link Settings#EVIDENCE_SR_MAX_FACE}'s 96 source pixels, gets a burst cut by
 * decode from the stored upload and super-resolved by enhance (burstnc-x3) into a PNG exactly 3x
 * the region's side, which the verdict and the alert link and the API serves to the owner only.
 */
class EnhancedEvidenceIT extends StackTestBase {
  @Test
  void shouldAttachAThreeTimesLargerSuperResolvedCropToALowResolutionClipsFlaggedTrack(
      @TempDir Path dir) throws Exception {
    Path forged = ModelStore.fromEnvironment().cacheDir().resolve("media")
        .resolve("franck-forged.mp4");
    Assumptions.assumeTrue(Files.isRegularFile(forged),
        "the forged clip is made by ./framewatch test (models/deepfake/forge_clip.py)");
    Path low = dir.resolve("franck-forged-x3.mp4");
    SrEvidenceBench.downscale(forged, low);

    ApiClient.Response posted = api.post(low);
    assertEquals(202, posted.status(), posted.body().encode());
    String id = posted.body().getString("videoId");
    JsonObject fin = awaitTerminal(id);
    assertEquals("FINAL", fin.getString("status"), fin.encodePrettily());
    JsonArray alerts = api.get("/v1/videos/" + id).body().getJsonArray("alerts");
    assertEquals(1, alerts.size(), "caddm-demo still flags the forged face at 120x96: " + fin);
    List<Integer> flagged = alerts.getJsonObject(0).getJsonArray("trackIds").stream()
        .map(o -> Integer.parseInt(o.toString())).toList();
    assertFalse(flagged.isEmpty(), alerts.encodePrettily());

    JsonObject done = awaitEvidence(id);
    JsonObject top = null;
    for (Object o : done.getJsonArray("tracks")) {
      JsonObject t = (JsonObject) o;
      JsonArray ev = t.getJsonArray("evidence");
      for (int i = 0; i < ev.size(); i++) {
        boolean asked = ev.getJsonObject(i).getValue("enhancedFile") != null;
        assertEquals(flagged.contains(t.getInteger("id")) && i == 0, asked,
            "only a flagged track's top sample is super-resolved: " + t.encode());
      }
      if (flagged.contains(t.getInteger("id"))) {
        top = ev.getJsonObject(0);
      }
    }
    assertTrue(top != null, done.encodePrettily());
    long sample = top.getLong("sampleIndex");
    int face = top.getInteger("faceIndex");
    assertEquals("s" + sample + "-f" + face + "-sr.png", top.getString("enhancedFile"));
    assertNull(top.getValue("enhancedError"), top.encode());
    assertTrue(top.getBoolean("enhancedStored"), top.encode());

    // decode cut the burst from the stored upload: 5 frames of the square region around the
    // face (1.5x its box; the 120x96 source is the analysis frame), reference the sample's frame
    String key = id + "/sr-s" + sample + "-f" + face;
    Burst burst = Records.of(kafka.settings(), Topics.FRAMES_ENHANCE, key).get(0).value();
    FrameAnalysis analysis = Records.of(kafka.settings(), Topics.DETECTIONS, id).stream()
        .map(Records.Timed::value).filter(a -> a.getSampleIndex() == sample).findFirst()
        .orElseThrow();
    FaceDetection box = analysis.getDetections(face).getFace();
    int side = burst.getEvidence().getRegionSide();
    assertEquals(5, burst.getFramesCount());
    assertEquals(analysis.getPtsUs(), burst.getFrames(burst.getReference()).getPtsUs());
    assertEquals(Math.min(96, Math.round(1.5 * Math.max(box.getXMax() - box.getXMin(),
        box.getYMax() - box.getYMin()))), side, 1, "1.5x the face box: " + box);
    assertTrue(side < Settings.EVIDENCE_SR_MAX_FACE.read(java.util.Map.of()) * 1.5,
        "a face below the setting");

    // enhance super-resolved it: the PNG is exactly 3x the region, the frame it published
    Path png = media.resolve("evidence").resolve(id).resolve(top.getString("enhancedFile"));
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(3 * side, img.getWidth());
    assertEquals(3 * side, img.getHeight());
    EnhancedFrame enhanced = Records.of(kafka.settings(), Topics.FRAMES_ENHANCED, key).get(0)
        .value();
    assertEquals("burstnc-x3", enhanced.getModelId());
    assertEquals(5, enhanced.getFramesUsed());
    assertEquals(sample, enhanced.getEvidence().getSampleIndex());
    byte[] bgr = new byte[3 * img.getWidth() * img.getHeight()];
    BufferedImage asBgr = new BufferedImage(img.getWidth(), img.getHeight(),
        BufferedImage.TYPE_3BYTE_BGR);
    asBgr.getGraphics().drawImage(img, 0, 0, null);
    System.arraycopy(((java.awt.image.DataBufferByte) asBgr.getRaster().getDataBuffer())
        .getData(), 0, bgr, 0, bgr.length);
    assertArrayEquals(enhanced.getBgr().toByteArray(), bgr, "stored losslessly");

    // the API serves it to the owner only; the alert links it
    HttpResponse<byte[]> got = fetch(top.getString("enhancedUrl"), KEY.key());
    assertEquals(200, got.statusCode());
    assertEquals("image/png", got.headers().firstValue("Content-Type").orElse(""));
    assertArrayEquals(Files.readAllBytes(png), got.body(), "served as stored");
    assertEquals(3 * side, ImageIO.read(new ByteArrayInputStream(got.body())).getWidth());
    assertEquals(404, fetch(top.getString("enhancedUrl"), OTHER.key()).statusCode(),
        "another tenant cannot see it");
    JsonArray linked = api.get("/v1/videos/" + id).body().getJsonArray("alerts")
        .getJsonObject(0).getJsonArray("evidence");
    String name = top.getString("enhancedFile");
    assertTrue(linked.stream().anyMatch(o -> name.equals(((JsonObject) o)
        .getString("enhancedFile"))), linked.encodePrettily());
  }
}
