package io.framewatch.tests.fault;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.framewatch.app.ApiClient;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.Settings;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every stage of the pipeline, each in a JVM of its own ({@code framewatch run STAGE}), against
 * a cluster started elsewhere; with the API client to upload clips and read their verdicts.
 */
final class Fleet implements AutoCloseable {
  static final Duration START = Duration.ofMinutes(3);
  static final List<String> STAGES = List.of("sink", "detect", "enhance", "decode", "ingest");

  /** Something done to the running system once the first clip is under way. */
  @FunctionalInterface
  interface Fault {
    void strike(String firstVideoId) throws Exception;
  }

  private final Path dir;
  private final String bootstrap;
  private final Map<String, String> env = new HashMap<>();
  private final Map<String, StageProcess> stages = new LinkedHashMap<>();
  private final ApiClient api;

  /**
   * Starts every stage and waits until each is ready.
   *
   * @param dir logs, media store and state directories
   * @param bootstrap the cluster
   * @param extraEnv more configuration for every stage
   */
  Fleet(Path dir, String bootstrap, Map<String, String> extraEnv) throws Exception {
    this.dir = dir;
    this.bootstrap = bootstrap;
    int http = freePort();
    env.put("FRAMEWATCH_HTTP_PORT", Integer.toString(http));
    env.put("FRAMEWATCH_HTTP_HOST", "127.0.0.1");
    env.put("FRAMEWATCH_MEDIA_DIR", Files.createDirectories(dir.resolve("media")).toString());
    // one job at a time, so that a decode process is mid-file when it is killed
    env.put("FRAMEWATCH_DECODE_WORKERS", "1");
    env.put("FRAMEWATCH_SR_MODEL", "ncnet-x3");
    env.put("FRAMEWATCH_SOURCE_ALLOW", "127.0.0.0/8"); // streams are served on loopback
    env.put("FRAMEWATCH_WEBHOOK_ALLOW", "127.0.0.0/8"); // and so are webhook receivers
    ApiKeys.Created key = ApiKeys.create("fleet", false);
    env.put(Settings.API_KEYS.env(), key.entry());
    env.putAll(extraEnv);
    for (String s : STAGES) {
      stages.put(s, start(s));
    }
    for (StageProcess p : stages.values()) {
      p.awaitReady(START);
    }
    api = new ApiClient("http://127.0.0.1:" + http, key.key());
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private StageProcess start(String stage) throws Exception {
    Map<String, String> e = new HashMap<>(env);
    // a replacement sink is a new pod: empty local state, restored from its changelog
    e.put("FRAMEWATCH_STATE_DIR", Files.createTempDirectory(dir, "state").toString());
    return StageProcess.start(stage, dir, e, "run", stage, "--bootstrap", bootstrap);
  }

  /** Starts one more process of {@code stage}, known as {@code label}, and waits until ready. */
  StageProcess add(String label, String stage) throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.put("FRAMEWATCH_STATE_DIR", Files.createTempDirectory(dir, "state").toString());
    StageProcess p = StageProcess.start(label, dir, e, "run", stage, "--bootstrap", bootstrap);
    stages.put(label, p);
    return p.awaitReady(START);
  }

  StageProcess get(String stage) {
    return stages.get(stage);
  }

  /** Starts a fresh process of {@code stage} in place of the old one and waits until ready. */
  void replace(String stage) throws Exception {
    StageProcess fresh = start(stage);
    stages.put(stage, fresh);
    fresh.awaitReady(START);
  }

  ApiClient api() {
    return api;
  }

  Iterable<StageProcess> processes() {
    return stages.values();
  }

  /** Uploads the clips, applies {@code fault} (if any) and returns their terminal verdicts. */
  List<JsonObject> run(List<Path> clips, Fault fault) throws Exception {
    List<String> ids = new ArrayList<>();
    for (Path c : clips) {
      ids.add(api.upload(c));
    }
    if (fault != null) {
      fault.strike(ids.get(0));
    }
    List<JsonObject> out = new ArrayList<>();
    for (String id : ids) {
      out.add(await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id),
              s -> List.of("FINAL", "FAILED").contains(s.getString("status"))));
    }
    return out;
  }

  /** Waits until the first clip has this many frames analysed. */
  void awaitAnalysed(String videoId, long frames) {
    await().atMost(START).pollInterval(Duration.ofMillis(100))
        .until(() -> api.status(videoId).getLong("framesAnalyzed", 0L) >= frames);
  }

  static String summary(List<JsonObject> vs) {
    List<String> out = new ArrayList<>();
    for (JsonObject v : vs) {
      out.add(String.format("%s %s %d/%d faces %d mean %.6f max %.6f", v.getString("fileName"),
          v.getString("status"), v.getLong("framesAnalyzed"), v.getLong("framesExpected"),
          v.getLong("facesDetected"), v.getDouble("score"), v.getDouble("scoreMax")));
    }
    return String.join("; ", out);
  }

  /** Same frames expected and analysed, faces, mean and max score within 1e-6, all FINAL. */
  static void assertSameVerdicts(List<JsonObject> reference, List<JsonObject> got, String fault) {
    for (int i = 0; i < reference.size(); i++) {
      JsonObject want = reference.get(i);
      JsonObject v = got.get(i);
      String what = fault + ", " + want.getString("fileName") + ": " + v.encodePrettily();
      assertEquals("FINAL", v.getString("status"), what);
      for (String f : List.of("framesExpected", "framesAnalyzed", "framesWithFaces",
          "facesDetected", "framesFailed")) {
        assertEquals(want.getLong(f), v.getLong(f), f + " of " + what);
      }
      assertEquals(want.getDouble("score"), v.getDouble("score"), 1e-6, what);
      assertEquals(want.getDouble("scoreMax"), v.getDouble("scoreMax"), 1e-6, what);
    }
  }

  @Override
  public void close() {
    stages.values().forEach(StageProcess::close);
  }
}
