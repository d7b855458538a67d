package io.framewatch.app;

import io.framewatch.decode.DecodeApp;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.detect.DetectApp;
import io.framewatch.detect.DetectConfig;
import io.framewatch.enhance.EnhanceApp;
import io.framewatch.enhance.EnhanceConfig;
import io.framewatch.inference.ModelStore;
import io.framewatch.ingest.IngestApp;
import io.framewatch.ingest.IngestConfig;
import io.framewatch.sink.SinkApp;
import io.framewatch.sink.SinkConfig;
import io.framewatch.topic.KafkaSettings;
import io.framewatch.topic.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Every stage of the pipeline in one JVM against one cluster: what {@code framewatch demo} and
 * {@code analyze} run on the embedded broker, and what the end-to-end tests start.
 */
public final class Stack implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final IngestApp ingest;
  private final Path stateDir;

  private Stack(Map<String, String> env, KafkaSettings kafka, Path mediaDir, int httpPort)
      throws Exception {
    try (Admin admin = Admin.create(kafka.admin())) {
      TopicCatalog.ensure(admin, (short) 1);
    }
    Map<String, String> e = new HashMap<>(env);
    e.put("FRAMEWATCH_HTTP_PORT", Integer.toString(httpPort));
    e.put("FRAMEWATCH_MEDIA_DIR", mediaDir.toString());
    e.putIfAbsent("FRAMEWATCH_HTTP_HOST", "127.0.0.1");
    // Kafka Streams state belongs to one cluster: a stack on a fresh broker must not reuse the
    // checkpoints of an earlier one.
    stateDir = Files.createTempDirectory("framewatch-state");
    e.putIfAbsent("FRAMEWATCH_STATE_DIR", stateDir.toString());
    try {
      started.push(SinkApp.start(SinkConfig.fromEnv(e, kafka)));
      started.push(DetectApp.start(DetectConfig.fromEnv(e, kafka), ModelStore.fromEnvironment()));
      started.push(
          EnhanceApp.start(EnhanceConfig.fromEnv(e, kafka), ModelStore.fromEnvironment()));
      started.push(DecodeApp.start(DecodeConfig.fromEnv(e, kafka)));
      ingest = IngestApp.start(IngestConfig.fromEnv(e, kafka));
      started.push(ingest);
    } catch (Exception ex) {
      close();
      throw ex;
    }
  }

  /**
   * Creates the topics and starts every stage.
   *
   * @param env configuration ({@code FRAMEWATCH_*}); the HTTP port and media store are set here
   * @param kafka the cluster
   * @param mediaDir media store shared by ingest and decode
   * @param httpPort HTTP port of the API, 0 for a free one
   */
  public static Stack start(Map<String, String> env, KafkaSettings kafka, Path mediaDir,
      int httpPort) throws Exception {
    return new Stack(env, kafka, mediaDir, httpPort);
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
