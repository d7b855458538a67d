package io.framewatch.tests.fault;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One framewatch process (a broker or a stage) in a JVM of its own, started the way operators
 * start it ({@code framewatch broker}, {@code framewatch run STAGE --bootstrap ...}) on the test's
 * classpath, with its output in a log file. It can be killed as an orchestrator or a crash would
 * kill it: SIGTERM ({@link #terminate()}) or SIGKILL ({@link #kill()}).
 */
final class StageProcess implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("health and metrics on port (\\d+)");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final Path log;

  private StageProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code framewatch ARGS} in a new JVM.
   *
   * @param name label for logs
   * @param logDir where its output goes
   * @param env extra environment ({@code FRAMEWATCH_*})
   * @param args the CLI arguments
   */
  static StageProcess start(String name, Path logDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx768m"));
    for (String prop : List.of("framewatch.cache", "org.bytedeco.javacpp.cachedir")) {
      String v = System.getProperty(prop);
      if (v != null && !v.isBlank()) {
        cmd.add("-D" + prop + "=" + v);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.framewatch.app.Main"));
    cmd.addAll(List.of(args));
    Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    String cache = System.getProperty("framewatch.cache");
    if (cache != null) {
      pb.environment().putIfAbsent("FRAMEWATCH_CACHE", cache);
    }
    pb.environment().put("FRAMEWATCH_MANAGEMENT_PORT", "0");
    return new StageProcess(name, pb.start(), log);
  }

  /** Waits until the stage answers 200 on {@code /health/ready}. */
  StageProcess awaitReady(Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(200))
        .failFast(() -> !process.isAlive())
        .alias(name + " ready; its log: " + log)
        .until(this::ready);
    return this;
  }

  private boolean ready() throws IOException, InterruptedException {
    Matcher m = PORT.matcher(Files.readString(log));
    if (!m.find()) {
      return false;
    }
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1)
          + "/health/ready")).GET().timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    }
  }

  /** Waits until its output contains {@code text}. */
  StageProcess awaitOutput(String text, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(200))
        .failFast(() -> !process.isAlive())
        .alias(name + " printing '" + text + "'; its log: " + log)
        .until(() -> Files.readString(log).contains(text));
    return this;
  }

  /** SIGKILL: no shutdown hook, no commit, no goodbye to the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the shutdown hook stops the stage; returns its exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      throw new IllegalStateException(name + " did not stop within 60 s of SIGTERM: " + tail());
    }
    return process.exitValue();
  }

  /** The process id, which names the worker in events ({@code host/decode-PID-...}). */
  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  String tail() {
    try {
      String s = Files.readString(log);
      return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
