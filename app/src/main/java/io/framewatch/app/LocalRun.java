package io.framewatch.app;

import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Setting;
import io.framewatch.runtime.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of the whole pipeline in this JVM: embedded broker, every stage, files uploaded through
 * the HTTP API and followed until their verdicts are final. Shared by {@code demo},
 * {@code analyze} and {@code bench live}.
 */
final class LocalRun implements AutoCloseable {
  private final Console console;
  private final EmbeddedKafka kafka;
  private final Stack stack;
  private final ApiClient api;
  private final Path mediaDir;
  private final String key;
  long uploadMs;

  LocalRun(Console console, int httpPort) throws Exception {
    this(console, httpPort, System.getenv());
  }

  /**
   * The embedded single-machine stack (analyze, demo, bench) may read streams served on this
   * machine and notify this machine's receivers: {@link Settings#SOURCE_ALLOW} and
   * {@link Settings#WEBHOOK_ALLOW} are {@code 127.0.0.0/8,::1} unless set. Services
   * ({@code framewatch run}) get no such default.
   */
  static Map<String, String> withLoopbackSources(Map<String, String> env) {
    Map<String, String> e = new java.util.HashMap<>(env);
    for (Setting<String> list : List.of(Settings.SOURCE_ALLOW, Settings.WEBHOOK_ALLOW)) {
      String allow = e.get(list.env());
      if (allow == null || allow.isBlank()) {
        e.put(list.env(), LOOPBACK_SOURCES);
      }
    }
    return e;
  }

  /** The allow-list of the embedded stack when none is set. */
  static final String LOOPBACK_SOURCES = "127.0.0.0/8,::1";

  /** A run whose stages read {@code env} ({@code FRAMEWATCH_*}) instead of the process's. */
  LocalRun(Console console, int httpPort, Map<String, String> env) throws Exception {
    this.console = console;
    env = withLoopbackSources(env);
    ApiKeys.Created own = ApiKeys.create(TENANT, true);
    env = withKey(env, own.entry());
    long t0 = System.nanoTime();
    kafka = EmbeddedKafka.start(0);
    long t1 = System.nanoTime();
    console.line("broker    in-process Kafka (KRaft) at %s, started in %.1f s", kafka.bootstrap(),
        (t1 - t0) / 1e9);
    mediaDir = Files.createTempDirectory("framewatch-media");
    try {
      stack = Stack.start(env, kafka.settings(), mediaDir, httpPort);
    } catch (Exception e) {
      kafka.close();
      throw e;
    }
    console.line("stages    ingest, decode, detect, enhance, sink, notify started in %.1f s (models"
        + " fetched and verified)", (System.nanoTime() - t1) / 1e9);
    console.line("api       %s/v1/videos", stack.apiUrl());
    console.line("key       %s (tenant %s, admin; send 'Authorization: Bearer KEY', or paste it"
        + " into %s/dashboard/)", own.key(), TENANT, stack.apiUrl());
    key = own.key();
    api = new ApiClient(stack.apiUrl(), key);
  }

  /** The tenant of the key the embedded stack makes for itself. */
  static final String TENANT = "local";

  /**
   * {@code env} with {@code entry} added to {@link Settings#API_KEYS}: the embedded stack makes a
   * key of its own each run (besides any configured), so its commands need no setup.
   */
  static Map<String, String> withKey(Map<String, String> env, String entry) {
    Map<String, String> e = new java.util.HashMap<>(env);
    String keys = e.get(Settings.API_KEYS.env());
    e.put(Settings.API_KEYS.env(), keys == null || keys.isBlank() ? entry : keys + "," + entry);
    return e;
  }

  /** The API key of this run (tenant {@value #TENANT}). */
  String key() {
    return key;
  }

  ApiClient api() {
    return api;
  }

  String apiUrl() {
    return stack.apiUrl();
  }

  KafkaSettings kafka() {
    return kafka.settings();
  }

  /** Uploads every file, follows them with progress bars, returns their final verdicts. */
  List<JsonObject> analyze(List<Path> files, Duration timeout) throws Exception {
    List<String> names = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    long t0 = System.nanoTime();
    for (Path f : files) {
      ids.add(api.upload(f));
      names.add(f.getFileName().toString());
    }
    uploadMs = (System.nanoTime() - t0) / 1_000_000;
    console.line("uploaded  %d video(s) in %.2f s", files.size(), uploadMs / 1000.0);
    console.line("");
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonObject> states = new ArrayList<>();
    while (true) {
      states.clear();
      boolean allDone = true;
      for (String id : ids) {
        JsonObject s = api.status(id);
        states.add(s);
        String st = s.getString("status");
        allDone &= "FINAL".equals(st) || "FAILED".equals(st);
      }
      console.progress(names, states, allDone);
      if (allDone) {
        return List.copyOf(states);
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for verdicts: "
            + states);
      }
      Thread.sleep(250);
    }
  }

  List<String> names(List<Path> files) {
    return files.stream().map(f -> f.getFileName().toString()).toList();
  }

  @Override
  public void close() {
    try {
      stack.close();
    } finally {
      kafka.close();
      try (var s = Files.walk(mediaDir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // temp media left behind is harmless
      }
    }
  }
}
