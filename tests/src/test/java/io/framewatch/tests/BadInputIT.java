package io.framewatch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.ApiClient;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad uploads get clear errors and never hold up a good video submitted with them. */
class BadInputIT extends StackTestBase {
  // truncated, corrupt in the middle, text, empty and renamed files next to a good one
  @TempDir
  static Path inputs;
  @Test
  void shouldRejectOrFailBadUploadsWithAReasonWhileAGoodVideoReachesFinal() throws Exception {
    Path good = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    byte[] all = Files.readAllBytes(good);
    Path truncated = Files.write(inputs.resolve("truncated.mp4"),
        Arrays.copyOf(all, all.length / 3));
    Path text = Files.writeString(inputs.resolve("notes.mp4"), "meeting notes\n".repeat(50));
    Path empty = Files.write(inputs.resolve("empty.mp4"), new byte[0]);
    byte[] damaged = all.clone();
    for (int i = (int) (damaged.length * 0.3); i < (int) (damaged.length * 0.7); i++) {
      damaged[i] = (byte) (i * 31);
    }
    Path corrupt = Files.write(inputs.resolve("corrupt.mp4"), damaged);
    Path webmAsMp4 = Files.copy(SampleMedia.CAP12_WEBM.fetch(ModelStore.fromEnvironment()
        .cacheDir()), inputs.resolve("renamed.mp4"));

    ApiClient.Response cut = api.post(truncated);
    ApiClient.Response ok = api.post(good);
    ApiClient.Response txt = api.post(text);
    ApiClient.Response none = api.post(empty);
    ApiClient.Response damagedUpload = api.post(corrupt);
    ApiClient.Response renamed = api.post(webmAsMp4);

    assertEquals(415, txt.status(), txt.body().encode());
    assertTrue(txt.body().getString("error").contains("looks like text"), txt.body().encode());
    assertEquals(400, none.status(), none.body().encode());
    assertTrue(none.body().getString("error").contains("0 bytes"), none.body().encode());
    assertEquals(202, cut.status(), "a truncated MP4 still looks like a video at the door");
    assertEquals(202, ok.status());

    JsonObject failed = awaitTerminal(cut.body().getString("videoId"));
    assertEquals("FAILED", failed.getString("status"), failed.encodePrettily());
    assertTrue(failed.getString("error").startsWith("decode: truncated or corrupt video"),
        failed.getString("error"));

    JsonObject broken = awaitTerminal(damagedUpload.body().getString("videoId"));
    assertEquals("FAILED", broken.getString("status"), broken.encodePrettily());
    assertTrue(broken.getString("error").startsWith("decode: corrupt video: only "),
        broken.getString("error"));

    // the worker kept serving: the good video and a VP8 file with a misleading name complete
    JsonObject fine = awaitTerminal(ok.body().getString("videoId"));
    assertEquals("FINAL", fine.getString("status"), fine.encodePrettily());
    assertEquals(fine.getLong("framesExpected"), fine.getLong("framesAnalyzed"));
    JsonObject vp8 = awaitTerminal(renamed.body().getString("videoId"));
    assertEquals("FINAL", vp8.getString("status"), vp8.encodePrettily());
    assertEquals("vp8", vp8.getJsonObject("probe").getString("codec"));
  }

  @Test
  void shouldHonourJobOptionsAndRefuseBadOnesWithAReason() throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    ApiClient.Response bad = api.post(clip, Map.of("pixelFormat", "rgb48"));
    assertEquals(400, bad.status());
    assertTrue(bad.body().getString("error").startsWith("pixelFormat: "), bad.body().encode());
    ApiClient.Response badFps = api.post(clip, Map.of("fps", "fast"));
    assertEquals(400, badFps.status());
    assertTrue(badFps.body().getString("error").startsWith("fps: "), badFps.body().encode());
    ApiClient.Response capped = api.post(clip, Map.of("fps", "4", "maxFrames", "9",
        "pixelFormat", "bgr24", "burstFrames", "3", "burstEverySeconds", "20"));
    assertEquals(202, capped.status(), capped.body().encode());
    JsonObject v = awaitTerminal(capped.body().getString("videoId"));
    assertEquals("FINAL", v.getString("status"), v.encodePrettily());
    assertEquals(9L, v.getLong("framesExpected"));
    assertEquals(9L, v.getLong("framesWithFaces"), "BGR24 frames are analysed too");
  }

  @Test
  void shouldAnswerNotFoundForAnUnknownVideoAndBadRequestForAMalformedId() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var unknown = http.send(authorised("/v1/videos/no-such-video").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode());
    var malformed = http.send(authorised("/v1/videos/..%2Fetc").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(400, malformed.statusCode(), malformed.body());
    var raw = http.send(authorised("/v1/videos")
            .header("Content-Type", "video/mp4")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(415, raw.statusCode(), raw.body());
  }

  @Test
  void shouldAsk401WithoutAKeyAndAnswerAnotherTenantsVideoAsUnknown() throws Exception {
    ApiClient anonymous = new ApiClient(stack.apiUrl(), null);
    ApiClient.Response none = anonymous.get("/v1/videos");
    assertEquals(401, none.status(), none.body().encode());
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    ApiClient.Response refused = anonymous.post(clip);
    assertEquals(401, refused.status(), "refused before the upload is stored");

    String id = api.upload(clip);
    ApiClient other = new ApiClient(stack.apiUrl(), OTHER.key());
    ApiClient.Response foreign = other.get("/v1/videos/" + id);
    ApiClient.Response unknown = other.get("/v1/videos/no-such-video");
    assertEquals(404, foreign.status(), foreign.body().encode());
    assertEquals(unknown.body().encode().replace("no-such-video", id), foreign.body().encode());
    JsonObject mine = awaitTerminal(id);
    assertEquals("FINAL", mine.getString("status"), mine.encodePrettily());
    assertEquals(404, other.get("/v1/videos/" + id).status(), "still not theirs once final");
    assertTrue(other.get("/v1/videos").body().getJsonArray("videos").isEmpty());
  }

}
