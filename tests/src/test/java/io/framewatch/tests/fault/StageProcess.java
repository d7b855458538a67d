package io.framewatch.tests.fault;

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
  StageProcess awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int port = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ": "
            + tail());
      }
      if (port < 0) {
        Matcher m = PORT.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      if (port > 0) {
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/health/ready")).GET()
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return this;
          }
        } catch (IOException e) {
          // not listening yet
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready after " + timeout + ": " + tail());
  }

  /** Waits until its output contains {@code text}. */
  StageProcess awaitOutput(String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(log).contains(text)) {
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited: " + tail());
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " did not print '" + text + "': " + tail());
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
