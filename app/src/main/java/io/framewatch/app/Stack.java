package io.framewatch.app;

import io.framewatch.ingest.IngestApp;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Settings;
import io.framewatch.runtime.Stage;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Every stage of the pipeline in one JVM against one cluster: what {@code framewatch demo} and
 * {@code analyze} run on the embedded broker, and what the end-to-end tests start.
 */
public final class Stack implements AutoCloseable {
  private final Deque<Stage> started = new ArrayDeque<>();
  private final List<Stage> stages = new ArrayList<>();
  private IngestApp ingest;
  private final Path stateDir;

  private Stack(Map<String, String> env, KafkaSettings kafka, Path mediaDir, int httpPort,
      StageContext ctx) throws Exception {
    try (Admin admin = Admin.create(kafka.admin())) {
      TopicCatalog.ensure(admin, (short) 1);
    }
    Map<String, String> e = new HashMap<>(env);
    e.put(Settings.HTTP_PORT.env(), Integer.toString(httpPort));
    e.put(Settings.MEDIA_DIR.env(), mediaDir.toString());
    e.putIfAbsent(Settings.HTTP_HOST.env(), "127.0.0.1");
    // Kafka Streams state belongs to one cluster: a stack on a fresh broker must not reuse the
    // checkpoints of an earlier one.
    stateDir = Files.createTempDirectory("framewatch-state");
    e.putIfAbsent(Settings.STATE_DIR.env(), stateDir.toString());
    try {
      for (String name : Stages.NAMES) {
        Stage s = Stages.create(name, e, kafka, ctx);
        started.push(s); // closed on failure even if it started only in part
        s.start();
        stages.add(s);
        if (s instanceof IngestApp i) {
          ingest = i;
        }
      }
    } catch (Exception ex) {
      close();
      throw ex;
    }
  }

  /**
   * Creates the topics and starts every stage, with meters of their own.
   *
   * @param env configuration ({@code FRAMEWATCH_*}); the HTTP port and media store are set here
   * @param kafka the cluster
   * @param mediaDir media store shared by ingest and decode
   * @param httpPort HTTP port of the API, 0 for a free one
   */
  public static Stack start(Map<String, String> env, KafkaSettings kafka, Path mediaDir,
      int httpPort) throws Exception {
    return new Stack(env, kafka, mediaDir, httpPort, StageContext.local());
  }

  /** As {@link #start(Map, KafkaSettings, Path, int)}, in the process's stage context. */
  public static Stack start(Map<String, String> env, KafkaSettings kafka, Path mediaDir,
      int httpPort, StageContext ctx) throws Exception {
    return new Stack(env, kafka, mediaDir, httpPort, ctx);
  }

  /** The running stages. */
  public List<Stage> stages() {
    return List.copyOf(stages);
  }

  /** Base URL of the HTTP API. */
  public String apiUrl() {
    return "http://127.0.0.1:" + ingest.port();
  }
  /** Stops the stages in reverse start order. */
  @Override
  public void close() {
    RuntimeException first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception ex) {
        if (first == null) {
          first = new IllegalStateException("stopping a stage failed: " + ex.getMessage(), ex);
        }
      }
    }
    try (var files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException ex) {
      // a temp directory left behind is harmless
    }
    if (first != null) {
      throw first;
    }
  }
}
