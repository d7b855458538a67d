package io.framewatch.ingest;

import io.framewatch.proto.Fetching;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import java.util.Map;

/**
 * Intake by URL: pulls a video from an http(s) URL (typically a signed URL of platform storage)
 * into a file of the media store, with the checks of an upload and those of an outbound request.
 *
 * <ul>
 *   <li>Only http and https; no credentials in the URL.
 *   <li>The host is resolved and checked by the {@link OutboundGuard} (loopback, link-local with
 *       the cloud metadata address, multicast, unspecified, reserved and, unless allowed, private
 *       addresses are refused), and the connection goes to the checked address, not to the name
 *       (no DNS rebinding); the name stays the Host header, the TLS SNI and the name the server's
 *       certificate is verified against.
 *   <li>Redirects are followed here, at most {@link #MAX_REDIRECTS}, each target parsed, resolved
 *       and checked again; the HTTP client never follows one itself.
 *   <li>At most {@link Limits#maxBytes()}: a larger Content-Length is refused before the body is
 *       read, a body that grows past it is cut off and its partial file deleted.
 *   <li>The body streams to disk with back-pressure, never held in memory; its first bytes are
 *       sniffed by {@link ContainerSniffer} as uploads are, and a non-video is refused.
 *   <li>Timeouts: connect, idle (no byte for that long) and total.
 * </ul>
 *
 * <p>Every answer is an {@link Outcome}: {@link Fetched} or {@link Refused} with the HTTP status
 * the API should answer with:
 *
 * <table>
 *   <caption>Refusals</caption>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>400</td><td>not an http(s) URL, credentials in it, no host, a host that does not
 *       resolve, or an address the guard refuses (the first URL's or a redirect's)</td></tr>
 *   <tr><td>413</td><td>larger than {@link Limits#maxBytes()} (by Content-Length or by
 *       count)</td></tr>
 *   <tr><td>415</td><td>not a video container (or an empty body), as for uploads</td></tr>
 *   <tr><td>502</td><td>the source answered a status other than 2xx (named), redirected more than
 *       {@link #MAX_REDIRECTS} times or somewhere unusable, or the connection failed (refused,
 *       reset, TLS)</td></tr>
 *   <tr><td>503</td><td>the file could not be written here</td></tr>
 *   <tr><td>504</td><td>connect, idle or total timeout</td></tr>
 * </table>
 *
 * <p>A query string is never logged nor put in a message or outcome: URLs are shown
 * {@link IntakeUrl#redacted() redacted}.
 */
public final class UrlIntake implements AutoCloseable {
  /** Redirects followed at most. */
  public static final int MAX_REDIRECTS = 5;

  /**
   * What one fetch may take.
   *
   * @param maxBytes largest body accepted
   * @param connectTimeoutMs time to set up the connection (TCP and TLS)
   * @param idleTimeoutMs longest wait for any byte (the response's head or its body)
   * @param totalTimeoutMs time for the whole fetch, redirects included
   * @param progressBytes a progress report at least every this many bytes received
   * @param progressMs and at least every this many ms while bytes arrive
   */
  public record Limits(long maxBytes, long connectTimeoutMs, long idleTimeoutMs,
      long totalTimeoutMs, long progressBytes, long progressMs) {
    /** Progress reported every 8 MiB by default. */
    public static final long PROGRESS_BYTES = 8L << 20;
    /** And every 2 s. */
    public static final long PROGRESS_MS = 2000;
    /** Connect timeout at most (the idle timeout when shorter). */
    public static final long CONNECT_TIMEOUT_MS = 10_000;

    /** Checks that every limit is positive. */
    public Limits {
      if (maxBytes < 1 || connectTimeoutMs < 1 || idleTimeoutMs < 1 || totalTimeoutMs < 1
          || progressBytes < 1 || progressMs < 1) {
        throw new IllegalArgumentException("intake limits must be positive");
      }
    }

    /**
     * The limits {@code env} configures: {@link Settings#MAX_UPLOAD_MB} (as for uploads),
     * {@link Settings#INTAKE_IDLE_TIMEOUT_S} and {@link Settings#INTAKE_TIMEOUT_S}.
     */
    public static Limits fromEnv(Map<String, String> env) {
      long idleMs = Settings.INTAKE_IDLE_TIMEOUT_S.read(env) * 1000;
      return new Limits(Settings.MAX_UPLOAD_MB.read(env) * 1024 * 1024,
          Math.min(CONNECT_TIMEOUT_MS, idleMs), idleMs, Settings.INTAKE_TIMEOUT_S.read(env) * 1000,
          PROGRESS_BYTES, PROGRESS_MS);
    }
  }

  /**
   * Receives progress, on the event loop: must not block.
   */
  @FunctionalInterface
  public interface Progress {
    /** Ignores progress. */
    Progress NONE = (received, total) -> { };

    /**
     * Bytes received so far.
     *
     * @param received bytes written to the file so far
     * @param total the source's Content-Length, -1 when it did not say
     */
    void received(long received, long total);
  }

  /** How a fetch ended. */
  public sealed interface Outcome permits Fetched, Refused {}

  /**
   * The video is in the file.
   *
   * @param path the file (the target given to {@link #fetch})
   * @param bytes its size
   * @param container the container family {@link ContainerSniffer} recognised
   * @param finalUrl the URL the body came from after redirects, redacted
   * @param fileName the name to show: the first URL's last path segment, sanitised
   */
  public record Fetched(Path path, long bytes, String container, String finalUrl,
      String fileName) implements Outcome {}

  /**
   * The video was not fetched; no file is left behind.
   *
   * @param status the HTTP status to answer the caller with
   * @param reason why, without the URL's query string
   */
  public record Refused(int status, String reason) implements Outcome {}

  private final Vertx vertx;
  private final OutboundGuard guard;
  private final Limits limits;
  private final HttpClient client;

  /** An intake trusting the JVM's certificate authorities. */
  public UrlIntake(Vertx vertx, OutboundGuard guard, Limits limits) {
    this(vertx, guard, limits, null);
  }

  /**
   * An intake with its own trust for https sources.
   *
   * @param trust the certificates to trust; null for the JVM's authorities
   */
  UrlIntake(Vertx vertx, OutboundGuard guard, Limits limits, TrustOptions trust) {
    this.vertx = vertx;
    this.guard = guard;
    this.limits = limits;
    HttpClientOptions options = new HttpClientOptions().setVerifyHost(true)
        .setDecompressionSupported(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, limits.connectTimeoutMs()));
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client = vertx.createHttpClient(options);
  }

  /** The limits of each fetch. */
  public Limits limits() {
    return limits;
  }

  /**
   * Fetches {@code url} into {@code target}, which must not exist yet (a file in the media
   * store's {@code incoming/} directory). Runs on the event loop of a Vert.x context; name
   * resolution runs on the worker pool.
   *
   * @param progress told of bytes received, at most every {@link Limits#progressBytes()} bytes or
   *     {@link Limits#progressMs()} ms, and once at the end
   * @return the outcome; the future never fails
   */
  public Future<Outcome> fetch(String url, Path target, Progress progress) {
    return new UrlFetch(vertx, client, guard, limits, target, progress).start(url);
  }

  /**
   * The {@code video.events} record of a fetch's progress, what a {@link Progress} publishes.
   *
   * @param total the source's Content-Length, -1 when unknown
   */
  public static VideoEvent fetchingEvent(String videoId, long received, long total) {
    return VideoEvent.newBuilder().setVideoId(videoId).setAtMs(System.currentTimeMillis())
        .setWorker("ingest").setFetching(Fetching.newBuilder().setBytesReceived(received)
            .setBytesTotal(total)).build();
  }

  @Override
  public void close() {
    client.close();
  }
}
