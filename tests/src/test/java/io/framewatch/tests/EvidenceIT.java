package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.ApiClient;
import io.framewatch.inference.ModelStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Evidence on the whole stack: the demo's forged clip, uploaded over HTTP, ends FINAL with every
 * face track linking its top samples' aligned crops (224x224 PNG) and frame thumbnails (JPEG);
 * decode writes them into the media store from the stored upload, the API serves them to the
 * owner only, the upload's alert links them, and deleting the video removes them.
 */
class EvidenceIT extends StackTestBase {
  @Test
  void shouldLinkEveryTracksEvidenceCropsFromTheFinalVerdictServeThemAndDeleteThem()
      throws Exception {
    Path forged = ModelStore.fromEnvironment().cacheDir().resolve("media")
        .resolve("franck-forged.mp4");
    Assumptions.assumeTrue(Files.isRegularFile(forged),
        "the forged clip is made by ./framewatch test (models/deepfake/forge_clip.py)");
    ApiClient.Response posted = api.post(forged);
    assertEquals(202, posted.status(), posted.body().encode());
    String id = posted.body().getString("videoId");
    JsonObject fin = awaitTerminal(id);
    assertEquals("FINAL", fin.getString("status"), fin.encodePrettily());
    JsonArray tracks = fin.getJsonArray("tracks");
    assertFalse(tracks.isEmpty(), "franck's face is tracked");
    for (Object t : tracks) {
      JsonArray ev = ((JsonObject) t).getJsonArray("evidence");
      assertTrue(ev.size() >= 1 && ev.size() <= 3, "each track names its top 1-3 samples: " + t);
      for (int i = 1; i < ev.size(); i++) {
        assertTrue(ev.getJsonObject(i - 1).getDouble("pFake")
            >= ev.getJsonObject(i).getDouble("pFake"), "highest P(fake) first: " + ev);
      }
    }

    // decode extracts them after FINAL; the verdict says so as each sample's files are written
    List<JsonObject> all = evidence(awaitEvidence(id));
    Path dir = media.resolve("evidence").resolve(id);
    Set<String> names = new TreeSet<>();
    int mapped = 0;
    // maps are drawn from the model's alert raise threshold on, which the upload's alert states
    double raise = api.get("/v1/videos/" + id).body().getJsonArray("alerts").getJsonObject(0)
        .getDouble("raiseThreshold");
    for (JsonObject e : all) {
      assertNull(e.getValue("error"), "extracted: " + e);
      assertTrue(e.getBoolean("stored"), e.encode());
      Path crop = dir.resolve(e.getString("cropFile"));
      Path frame = dir.resolve(e.getString("frameFile"));
      assertTrue(Files.isRegularFile(crop), crop + " exists");
      assertTrue(Files.isRegularFile(frame), frame + " exists");
      names.add(e.getString("cropFile"));
      names.add(e.getString("frameFile"));
      if (e.getValue("enhancedFile") != null) {
        // a flagged track's small face also has its super-resolved crop (EnhancedEvidenceIT)
        assertTrue(e.getBoolean("enhancedStored"), e.encode());
        names.add(e.getString("enhancedFile"));
      }

      assertCropIsWhatWasJudged(id, e.getLong("sampleIndex"), e.getInteger("faceIndex"), crop);
      BufferedImage png = ImageIO.read(crop.toFile());
      assertEquals(224, png.getWidth());
      assertEquals(224, png.getHeight());
      byte[] pngBytes = Files.readAllBytes(crop);
      assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'},
          java.util.Arrays.copyOf(pngBytes, 4), "a PNG file");
      BufferedImage jpg = ImageIO.read(frame.toFile());
      assertTrue(Math.max(jpg.getWidth(), jpg.getHeight()) <= 640,
          "the thumbnail is the analysis frame: " + jpg.getWidth() + "x" + jpg.getHeight());
      byte[] jpgBytes = Files.readAllBytes(frame);
      assertEquals(0xff, jpgBytes[0] & 0xff, "a JPEG file");
      assertEquals(0xd8, jpgBytes[1] & 0xff, "a JPEG file");

      HttpResponse<byte[]> got = fetch(e.getString("cropUrl"), KEY.key());
      assertEquals(200, got.statusCode());
      assertEquals("image/png", got.headers().firstValue("Content-Type").orElse(""));
      assertArrayEquals(pngBytes, got.body(), "served as stored");
      HttpResponse<byte[]> thumb = fetch(e.getString("frameUrl"), KEY.key());
      assertEquals(200, thumb.statusCode());
      assertEquals("image/jpeg", thumb.headers().firstValue("Content-Type").orElse(""));
      assertEquals(jpg.getWidth(), ImageIO.read(new ByteArrayInputStream(thumb.body())).getWidth());
      assertEquals(404, fetch(e.getString("cropUrl"), OTHER.key()).statusCode(),
          "another tenant cannot see it");

      // caddm-demo has an artifact map: a face at or above its raise threshold also gets the crop
      // with the map drawn over it, the same size and not the same pixels
      boolean calledForged = e.getDouble("pFake") >= raise;
      assertEquals(calledForged, e.getValue("mapFile") != null,
          "a map from the raise threshold " + raise + " on only: " + e);
      if (calledForged) {
        mapped++;
        Path map = dir.resolve(e.getString("mapFile"));
        names.add(e.getString("mapFile"));
        BufferedImage drawn = ImageIO.read(map.toFile());
        assertEquals(224, drawn.getWidth());
        assertEquals(224, drawn.getHeight());
        assertFalse(java.util.Arrays.equals(pngBytes, Files.readAllBytes(map)), "the map is drawn");
        HttpResponse<byte[]> served = fetch(e.getString("mapUrl"), KEY.key());
        assertEquals(200, served.statusCode());
        assertEquals("image/png", served.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, fetch(e.getString("mapUrl"), OTHER.key()).statusCode());
      }
    }
    assertTrue(mapped > 0, "the forged clip's faces are called forged and mapped");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(names, new TreeSet<>(s.map(p -> p.getFileName().toString()).toList()),
          "the evidence directory holds exactly the files the verdict links");
    }

    // the forged clip raises the upload's alert, which links the same files
    JsonArray alerts = api.get("/v1/videos/" + id).body().getJsonArray("alerts");
    assertEquals(1, alerts.size(), "the forged clip raises its alert: " + alerts);
    JsonArray alertEvidence = alerts.getJsonObject(0).getJsonArray("evidence");
    assertFalse(alertEvidence.isEmpty(), alerts.encodePrettily());
    for (Object o : alertEvidence) {
      JsonObject e = (JsonObject) o;
      assertTrue(names.contains(e.getString("cropFile")), e.encode());
      assertTrue(names.contains(e.getString("frameFile")), e.encode());
    }
    // (the alert is printed as protobuf JSON: 64-bit integers are strings)
    assertEquals(alerts.getJsonObject(0).getJsonArray("evidenceSamples").getValue(0).toString(),
        alertEvidence.getJsonObject(0).getValue("sampleIndex").toString());

    long uploadBytes = Files.size(media.resolve("videos").resolve(id + ".mp4"));
    ApiClient.Response deleted = api.delete("/v1/videos/" + id);
    assertEquals(202, deleted.status(), deleted.body().encode());
    assertEquals(1 + names.size(), deleted.body().getInteger("filesRemoved"),
        "the upload and every evidence file");
    assertTrue(deleted.body().getLong("bytesRemoved") > uploadBytes);
    assertFalse(Files.exists(dir), "the evidence directory is gone");
    assertEquals(404, fetch(all.get(0).getString("cropUrl"), KEY.key()).statusCode());
  }
}
