package io.framewatch.app.bench;

import io.framewatch.decode.FfmpegCli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real clip served as a live source on loopback: the bundled ffmpeg plays it in real time
 * ({@code -re}), looped for ever, as MPEG-TS over HTTP to one client at a time, and is started
 * again whenever it exits (a client that disconnects, or a decode process that takes the stream
 * over, can connect again). Used by {@code bench live} and by the live tests.
 */
public final class LoopbackStream implements AutoCloseable {
  /** An ffmpeg that lived shorter than this failed to serve: wait before starting it again. */
  private static final long FAILED_START_MS = 1_000;
  private static final long RESTART_BACKOFF_MS = 500;

  private final AtomicBoolean serving = new AtomicBoolean(true);
  private final AtomicReference<Process> current = new AtomicReference<>();
  private final AtomicReference<String> lastError = new AtomicReference<>("");
  private final Thread server;
  private final String url;
  private final boolean loop;

  /** Starts serving {@code clip}, looped for ever, at a free loopback port. */
  public LoopbackStream(Path clip) throws IOException {
    this(clip, true);
  }

  /**
   * Starts serving {@code clip} at a free loopback port, looped for ever or played once per
   * ffmpeg run (each restart, e.g. after a client connected too early and left, plays it again
   * from the start).
   */
  public LoopbackStream(Path clip, boolean loop) throws IOException {
    this.loop = loop;
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    url = "http://127.0.0.1:" + port + "/live.ts";
    String ffmpeg = FfmpegCli.path();
    server = new Thread(() -> serve(ffmpeg, clip), "loopback-stream-" + port);
    server.setDaemon(true);
    server.start();
  }

  private void serve(String ffmpeg, Path clip) {
    while (serving.get()) {
      try {
        long started = System.nanoTime();
        Process p = new ProcessBuilder(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
            "-re", "-stream_loop", loop ? "-1" : "0", "-i", clip.toString(), "-an",
            "-c:v", "copy", "-f", "mpegts", "-listen", "1", url).redirectErrorStream(true)
            .start();
        current.set(p);
        if (!serving.get()) { // closed while starting
          p.destroyForcibly();
          return;
        }
        // -loglevel error: a few lines at most, read when it exits
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .strip();
        int status = p.waitFor();
        if (status != 0 && serving.get()) {
          lastError.set("ffmpeg exited with " + status + (said.isEmpty() ? "" : ": " + said));
        }
        if (System.nanoTime() - started < FAILED_START_MS * 1_000_000) {
          Thread.sleep(RESTART_BACKOFF_MS); // not a hot loop when ffmpeg cannot start at all
        }
      } catch (IOException e) {
        lastError.set("ffmpeg could not be started: " + e.getMessage());
        return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The stream's URL, {@code http://127.0.0.1:PORT/live.ts}. */
  public String url() {
    return url;
  }

  /** Why ffmpeg last exited with an error, or an empty string. */
  public String lastError() {
    return lastError.get();
  }

  /** Stops serving: the running ffmpeg is killed and not started again. */
  @Override
  public void close() {
    serving.set(false);
    Process p = current.get();
    if (p != null) {
      p.destroyForcibly();
    }
    server.interrupt();
  }
}
