package io.framewatch.ingest;

import io.framewatch.ingest.UrlIntake.Fetched;
import io.framewatch.ingest.UrlIntake.Limits;
import io.framewatch.ingest.UrlIntake.Outcome;
import io.framewatch.ingest.UrlIntake.Progress;
import io.framewatch.ingest.UrlIntake.Refused;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.runtime.Settings;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch of {@link UrlIntake}: resolve and check, connect to the checked address, follow
 * redirects by hand, stream the body to the target file. Everything runs on one Vert.x context
 * (so its fields need no locking); the guard's name resolution runs on the worker pool.
 */
final class UrlFetch {
  private static final Logger LOG = LoggerFactory.getLogger(UrlFetch.class);
  private static final long MIB = 1024 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final OutboundGuard guard;
  private final Limits limits;
  private final Path target;
  private final Progress progress;
  private final Promise<Outcome> result = Promise.promise();

  private IntakeUrl first;
  private IntakeUrl current;
  private int redirects;
  private HttpClientRequest request;
  private boolean answered;
  private AsyncFile file;
  private boolean done;
  private long timer = -1;
  private long watchdog = -1;
  private long lastByteNs;
  private boolean paused;

  private long received;
  private long total = -1;
  private long reportedBytes;
  private long reportedAtNs;
  private final byte[] head = new byte[ContainerSniffer.HEAD_BYTES];
  private int headLength;
  private String container;

  UrlFetch(Vertx vertx, HttpClient client, OutboundGuard guard, Limits limits, Path target,
      Progress progress) {
    this.vertx = vertx;
    this.client = client;
    this.guard = guard;
    this.limits = limits;
    this.target = target;
    this.progress = progress == null ? Progress.NONE : progress;
  }

  Future<Outcome> start(String url) {
    vertx.getOrCreateContext().runOnContext(v -> {
      timer = vertx.setTimer(limits.totalTimeoutMs(), t -> {
        timer = -1;
        refuse(504, "the fetch took longer than " + seconds(limits.totalTimeoutMs())
            + " (" + Settings.INTAKE_TIMEOUT_S.env() + ")");
      });
      try {
        first = IntakeUrl.parse(url);
      } catch (IllegalArgumentException e) {
        refuse(400, e.getMessage());
        return;
      }
      hop(first);
    });
    return result.future();
  }

  /** Resolves and checks the host of {@code u} (off the event loop), then requests it. */
  private void hop(IntakeUrl u) {
    current = u;
    vertx.executeBlocking(() -> guard.check(u.host()), false).onComplete(r -> {
      if (done) {
        return;
      }
      if (r.failed()) {
        refuse(r.cause() instanceof OutboundGuard.Refused ? 400 : 502,
            (redirects > 0 ? "redirect to " + u.redacted() + " refused: " : "")
                + scrub(r.cause().getMessage()));
        return;
      }
      if (file != null) {
        request(u, r.result());
        return;
      }
      // the file is ready before the first byte, so the response never waits paused for it
      vertx.fileSystem().open(target.toString(), new OpenOptions().setWrite(true)
          .setCreateNew(true)).onComplete(f -> {
            if (f.failed()) {
              refuse(503, "could not create the video's file: " + f.cause().getMessage());
            } else if (done) {
              f.result().close().onComplete(c -> vertx.fileSystem().delete(target.toString()));
            } else {
              file = f.result();
              request(u, r.result());
            }
          });
    });
  }

  private void request(IntakeUrl u, OutboundGuard.Decision checked) {
    String ip = checked.address().getHostAddress();
    int zone = ip.indexOf('%');
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        // the name: Host header, SNI and the name the certificate must match ...
        .setHost(u.host()).setPort(u.port()).setSsl(u.tls())
        // ... the checked address: where the connection goes, never resolved again
        .setServer(SocketAddress.inetSocketAddress(u.port(), zone < 0 ? ip : ip.substring(0, zone)))
        .setURI(u.requestTarget()).setFollowRedirects(false)
        .setConnectTimeout(limits.connectTimeoutMs()).setIdleTimeout(limits.idleTimeoutMs())
        .putHeader("Accept-Encoding", "identity").putHeader("User-Agent", "framewatch-intake");
    answered = false;
    client.request(options).compose(req -> {
      request = req;
      if (done) {
        req.reset();
        return Future.failedFuture("abandoned");
      }
      return req.send();
    }).onComplete(r -> {
      if (done) {
        return;
      }
      if (r.failed()) {
        failed(r.cause());
      } else {
        answered = true;
        respond(r.result());
      }
    });
  }

  private void respond(HttpClientResponse resp) {
    int status = resp.statusCode();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      String location = resp.getHeader("Location");
      request.reset(); // the redirect's body is never read
      if (location == null || location.isBlank()) {
        refuse(502, "the source answered " + status + " without a Location (" + current.redacted()
            + ")");
      } else if (++redirects > UrlIntake.MAX_REDIRECTS) {
        refuse(502, "more than " + UrlIntake.MAX_REDIRECTS + " redirects from " + first.redacted());
      } else {
        IntakeUrl next;
        try {
          next = current.resolve(location);
        } catch (IllegalArgumentException e) {
          refuse(502, "the source redirected to an unusable URL: " + e.getMessage());
          return;
        }
        LOG.debug("intake of {}: {} to {}", first.redacted(), status, next.redacted());
        hop(next);
      }
      return;
    }
    if (status < 200 || status > 299) {
      request.reset();
      refuse(502, "the source answered " + status + " " + resp.statusMessage() + " ("
          + current.redacted() + ")");
      return;
    }
    String length = resp.getHeader("Content-Length");
    if (length != null) {
      try {
        total = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        total = -1;
      }
    }
    if (total > limits.maxBytes()) {
      request.reset();
      refuse(413, "the source's file has " + total + " bytes, more than the limit of "
          + limitText());
      return;
    }
    stream(resp);
  }

  private void stream(HttpClientResponse resp) {
    reportedAtNs = System.nanoTime();
    lastByteNs = reportedAtNs;
    // the request's idle timeout covers the wait for the head; the body has its own watch
    long idleNs = TimeUnit.MILLISECONDS.toNanos(limits.idleTimeoutMs());
    watchdog = vertx.setPeriodic(Math.max(10, limits.idleTimeoutMs() / 4), t -> {
      if (!paused && System.nanoTime() - lastByteNs > idleNs) {
        refuse(504, "the source stopped sending after " + received + " bytes for "
            + seconds(limits.idleTimeoutMs()) + " (idle timeout)");
      }
    });
    resp.handler(buf -> {
      if (done) {
        return;
      }
      lastByteNs = System.nanoTime();
      received += buf.length();
      if (received > limits.maxBytes()) {
        refuse(413, "the source sent more than the limit of " + limitText());
        return;
      }
      if (container == null && !collectHead(buf)) {
        return;
      }
      file.write(buf).onFailure(e -> refuse(503, "could not write the video's file: "
          + e.getMessage()));
      if (file.writeQueueFull()) {
        paused = true; // the disk is behind, not the source
        resp.pause();
        file.drainHandler(v -> {
          paused = false;
          lastByteNs = System.nanoTime();
          resp.resume();
        });
      }
      report(false);
    });
    resp.exceptionHandler(this::failed);
    resp.endHandler(v -> finish());
  }

  /** Keeps the body's first bytes; sniffs once there are enough. False when refused. */
  private boolean collectHead(Buffer buf) {
    int n = Math.min(buf.length(), head.length - headLength);
    buf.getBytes(0, n, head, headLength);
    headLength += n;
    return headLength < head.length || sniff();
  }

  private boolean sniff() {
    byte[] h = Arrays.copyOf(head, headLength);
    Optional<String> c = ContainerSniffer.detect(h);
    if (c.isPresent()) {
      container = c.get();
      return true;
    }
    refuse(415, headLength == 0 ? "the source sent an empty body (" + current.redacted() + ")"
        : "not a video: '" + first.fileName() + "' looks like " + ContainerSniffer.describe(h)
            + ", not a video container");
    return false;
  }

  private void report(boolean last) {
    long now = System.nanoTime();
    if (last || received - reportedBytes >= limits.progressBytes()
        || now - reportedAtNs >= TimeUnit.MILLISECONDS.toNanos(limits.progressMs())) {
      reportedBytes = received;
      reportedAtNs = now;
      try {
        progress.received(received, total);
      } catch (RuntimeException e) {
        LOG.warn("intake progress listener failed: {}", e.toString());
      }
    }
  }

  private void finish() {
    if (done || (container == null && !sniff())) {
      return;
    }
    if (total >= 0 && received != total) {
      refuse(502, "the source's body ended after " + received + " of " + total + " bytes");
      return;
    }
    done = true;
    cancelTimer();
    report(true);
    file.close().onComplete(c -> {
      if (c.failed()) {
        vertx.fileSystem().delete(target.toString()).onComplete(d -> result.complete(
            new Refused(503, "could not write the video's file: " + c.cause().getMessage())));
        return;
      }
      LOG.info("fetched {} ({} bytes, {}, {} redirects)", current.redacted(), received, container,
          redirects);
      result.complete(new Fetched(target, received, container, current.redacted(),
          first.fileName()));
    });
  }

  /** A failed connection or response: timeouts 504, the rest 502. */
  private void failed(Throwable t) {
    String host = current.host();
    if (t instanceof ConnectTimeoutException) {
      refuse(504, "could not connect to " + host + " within " + seconds(limits.connectTimeoutMs()));
    } else if (t instanceof TimeoutException) {
      refuse(504, (answered ? "the source stopped sending after " + received + " bytes"
          : "no answer from " + host) + " for " + seconds(limits.idleTimeoutMs())
          + " (idle timeout)");
    } else if (isTls(t)) {
      refuse(502, "TLS with " + host + " failed: " + scrub(rootCause(t).getMessage()));
    } else {
      refuse(502, (answered ? "the download from " : "the connection to ") + host + " failed: "
          + scrub(String.valueOf(rootCause(t).getMessage())));
    }
  }

  /** Ends the fetch with a refusal: the request is reset and the partial file deleted. */
  private void refuse(int status, String reason) {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    if (request != null) {
      request.reset();
    }
    LOG.info("intake of {} refused ({}): {}", first == null ? "a URL" : first.redacted(), status,
        reason);
    Future<Void> closed = file == null ? Future.succeededFuture()
        : file.close().recover(e -> Future.succeededFuture())
            .compose(v -> vertx.fileSystem().delete(target.toString()))
            .recover(e -> {
              LOG.warn("could not delete the partial file {}: {}", target, e.toString());
              return Future.succeededFuture();
            });
    closed.onComplete(v -> result.complete(new Refused(status, reason)));
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (watchdog >= 0) {
      vertx.cancelTimer(watchdog);
      watchdog = -1;
    }
  }

  /** A message with any query string of the URLs of this fetch taken out. */
  private String scrub(String message) {
    String m = message == null ? "" : message;
    for (IntakeUrl u : new IntakeUrl[] {first, current}) {
      String q = u == null ? null : u.uri().getRawQuery();
      if (q != null && !q.isEmpty()) {
        m = m.replace(q, "[redacted]");
      }
    }
    return m;
  }

  private String limitText() {
    return limits.maxBytes() % MIB == 0 ? limits.maxBytes() / MIB + " MB ("
        + Settings.MAX_UPLOAD_MB.env() + ")" : limits.maxBytes() + " bytes";
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static boolean isTls(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
