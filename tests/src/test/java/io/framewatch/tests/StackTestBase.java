package io.framewatch.tests;

import static org.awaitility.Awaitility.await;

import io.framewatch.app.ApiClient;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.Settings;
import io.framewatch.app.EmbeddedKafka;
import io.framewatch.app.Stack;
import io.framewatch.runtime.Settings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests against the whole stack: a fresh in-process broker on free ports (so its own
 * topics and consumer groups), every stage, and the HTTP API, per test class.
 */
abstract class StackTestBase {
  /** Streams and webhook receivers run on loopback, which the guard refuses unless allowed. */
  static final Map<String, String> SOURCES = Map.of("FRAMEWATCH_SOURCE_ALLOW", "127.0.0.0/8",
      "FRAMEWATCH_WEBHOOK_ALLOW", "127.0.0.0/8");
  /** The key the tests call the API with (tenant "it"). */
  static final ApiKeys.Created KEY = ApiKeys.create("it", false);
  /** A key of another tenant, "other": it must not see the first tenant's records. */
  static final ApiKeys.Created OTHER = ApiKeys.create("other", false);
  /** The stack's configuration: {@link #SOURCES} and both keys. */
  static final Map<String, String> ENV = Map.of("FRAMEWATCH_SOURCE_ALLOW", "127.0.0.0/8",
      "FRAMEWATCH_WEBHOOK_ALLOW", "127.0.0.0/8",
      Settings.API_KEYS.env(), KEY.entry() + "," + OTHER.entry());

  @TempDir
  static Path media;
  static EmbeddedKafka kafka;
  static Stack stack;
  static ApiClient api;

  @BeforeAll
  static void startStack() throws Exception {
    kafka = EmbeddedKafka.start(0);
    // the stack's ingest does not sweep: DeletionIT starts sweeping replicas of its own, which
    // must be the ones that hold the sweeping lease
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put(Settings.RETENTION_SWEEP_SECONDS.env(), "0");
    stack = Stack.start(env, kafka.settings(), media, 0);
    api = new ApiClient(stack.apiUrl(), KEY.key());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A request to the stack's API with {@link #KEY}. */
  static java.net.http.HttpRequest.Builder authorised(String pathAndQuery) {
    return java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.apiUrl() + pathAndQuery))
        .header("Authorization", "Bearer " + KEY.key());
  }

  /** GET {@code path} of the stack's API with {@code key}: its bytes (an evidence file). */
  static java.net.http.HttpResponse<byte[]> fetch(String path, String key) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(stack.apiUrl() + path)).header("Authorization", "Bearer " + key)
        .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Waits until the video's verdict is FINAL or FAILED (not RUNNING or STALLED) and returns it. */
  static JsonObject awaitTerminal(String videoId) {
    return awaitTerminal(api, videoId);
  }

  /**
   * Waits until decode has written (or failed to write) every evidence file a FINAL verdict's
   * tracks name, and enhance every super-resolved crop they name, and returns that verdict:
   * evidence is extracted after FINAL, so a test that counts a video's files waits for it.
   */
  static JsonObject awaitEvidence(String videoId) {
    return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> api.status(videoId), v -> evidence(v).stream()
            .allMatch(e -> (e.getBoolean("stored") || e.getValue("error") != null)
                && (e.getValue("enhancedFile") == null || e.getBoolean("enhancedStored")
                    || e.getValue("enhancedError") != null)));
  }

  /** Every evidence entry of every track of a verdict (its JSON). */
  static List<JsonObject> evidence(JsonObject verdict) {
    List<JsonObject> out = new java.util.ArrayList<>();
    for (Object t : verdict.getJsonArray("tracks", new io.vertx.core.json.JsonArray())) {
      for (Object e : ((JsonObject) t).getJsonArray("evidence")) {
        out.add((JsonObject) e);
      }
    }
    return out;
  }

  /**
   * Checks that an evidence crop is, pixel for pixel, the aligned crop of the frame detect/ judged
   * for that sample (its record on {@code frames.detect}) at the face detect/ reported (its
   * analysis on {@code detections}).
   */
  static void assertCropIsWhatWasJudged(String videoId, long sample, int face, Path png)
      throws java.io.IOException {
    io.framewatch.proto.FrameRecord frame = Records.of(kafka.settings(),
        io.framewatch.topic.Topics.FRAMES_DETECT, k -> k.equals(videoId + "/" + sample)).stream()
        .map(Records.Timed::value).findFirst().orElseThrow();
    io.framewatch.proto.FrameAnalysis analysis = Records.of(kafka.settings(),
        io.framewatch.topic.Topics.DETECTIONS, videoId).stream().map(Records.Timed::value)
        .filter(a -> a.getSampleIndex() == sample).findFirst().orElseThrow();
    io.framewatch.frames.RgbImage judged = io.framewatch.frames.FaceAligner.cropRgb(
        io.framewatch.frames.FrameImages.toRgb(frame), io.framewatch.frames.FaceAligner
            .transform(analysis.getDetections(face).getFace()));
    org.junit.jupiter.api.Assertions.assertArrayEquals(judged.rgb(),
        io.framewatch.frames.RgbImage.read(png).rgb(),
        png.getFileName() + " is the crop of the frame and face detect/ judged");
  }

  /** {@link #awaitTerminal(String)} through another stack's API. */
  static JsonObject awaitTerminal(ApiClient client, String videoId) {
    return await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
        .until(() -> client.status(videoId),
            s -> List.of("FINAL", "FAILED").contains(s.getString("status")));
  }
}
