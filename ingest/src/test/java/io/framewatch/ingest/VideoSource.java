package io.framewatch.ingest;

import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP and HTTPS server on loopback that serves a real video clip the ways a storage
 * service can (and the ways one can misbehave), recording every request it gets.
 *
 * <p>Paths: {@code /media/NAME} (the clip with Content-Length), {@code /chunked/NAME} (chunked,
 * no length), {@code /text.txt}, {@code /empty}, {@code /missing} (404), {@code /redirect?to=URL}
 * (302), {@code /declared-big} (a Content-Length of 2 MiB, never sent), {@code /endless} (chunked
 * until 3 MiB), {@code /short} (ends before its Content-Length), {@code /stall-head} (never
 * answers), {@code /stall-body} (answers, sends 4 KiB, stalls), {@code /drip} (1 KiB every
 * 100 ms).
 */
final class VideoSource implements AutoCloseable {
  /** The name the HTTPS server's certificate is for. */
  static final String TLS_NAME = "media.test";

  /**
   * A request as the server saw it.
   *
   * @param uri path and query
   * @param host the Host header
   * @param sni the TLS server name the client indicated; null over plain HTTP
   */
  record Seen(String uri, String host, String sni) {}

  private final Vertx vertx;
  private final byte[] clip;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** One key pair per test run: generating one takes seconds on a busy machine. */
  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create(TLS_NAME);
  private final HttpServer http;
  private final HttpServer https;

  VideoSource(Vertx vertx) throws Exception {
    this.vertx = vertx;
    this.clip = Files.readAllBytes(clipFile());
    http = vertx.createHttpServer().requestHandler(this::serve).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    https = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
            .setKeyCertOptions(CERT.keyCertOptions()))
        .requestHandler(this::serve).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The real clip served (H.264 MP4, 600 KB), from the framewatch cache. */
  static Path clipFile() throws IOException {
    return SampleMedia.CAP13_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
  }

  byte[] clip() {
    return clip;
  }

  int port() {
    return http.actualPort();
  }

  int tlsPort() {
    return https.actualPort();
  }

  /** The certificate of the HTTPS server, for the client to trust. */
  SelfSignedCertificate certificate() {
    return CERT;
  }

  /** Requests received so far. */
  List<Seen> seen() {
    return seen;
  }

  private void serve(HttpServerRequest req) {
    seen.add(new Seen(req.uri(), req.getHeader("Host"),
        req.isSSL() ? req.connection().indicatedServerName() : null));
    HttpServerResponse resp = req.response();
    String path = req.path();
    if (path.startsWith("/media/")) {
      resp.putHeader("Content-Type", "video/mp4").end(Buffer.buffer(clip));
    } else if (path.startsWith("/chunked/")) {
      resp.setChunked(true);
      for (int at = 0; at < clip.length; at += 64 * 1024) {
        resp.write(Buffer.buffer(clip).getBuffer(at, Math.min(clip.length, at + 64 * 1024)));
      }
      resp.end();
    } else {
      switch (path) {
        case "/text.txt" -> resp.putHeader("Content-Type", "text/plain")
            .end("this is a plain text file, not a video\n".repeat(40));
        case "/empty" -> resp.end();
        case "/missing" -> resp.setStatusCode(404).end("no such object");
        case "/redirect" -> resp.setStatusCode(302).putHeader("Location", req.getParam("to"))
            .end();
        case "/declared-big" -> {
          resp.putHeader("Content-Length", Long.toString(2L << 20));
          resp.write(Buffer.buffer(clip).getBuffer(0, 4096));
        }
        case "/endless" -> endless(resp);
        case "/short" -> {
          resp.putHeader("Content-Length", Integer.toString(clip.length));
          resp.write(Buffer.buffer(clip).getBuffer(0, 5000))
              .onComplete(w -> req.connection().close());
        }
        case "/stall-head" -> { } // never answers
        case "/stall-body" -> resp.setChunked(true).write(Buffer.buffer(clip).getBuffer(0, 4096));
        case "/drip" -> drip(resp);
        default -> resp.setStatusCode(400).end();
      }
    }
  }

  /** The clip's head, then zeros in 64 KiB chunks with back-pressure until 3 MiB. */
  private void endless(HttpServerResponse resp) {
    resp.setChunked(true);
    resp.write(Buffer.buffer(clip).getBuffer(0, 64 * 1024));
    long[] sent = {64 * 1024};
    Buffer zeros = Buffer.buffer(new byte[64 * 1024]);
    Runnable[] more = new Runnable[1];
    more[0] = () -> {
      while (!resp.closed() && !resp.writeQueueFull() && sent[0] < (3L << 20)) {
        resp.write(zeros);
        sent[0] += zeros.length();
      }
      if (sent[0] >= (3L << 20)) {
        resp.end();
      } else if (!resp.closed()) {
        resp.drainHandler(v -> more[0].run());
      }
    };
    more[0].run();
  }

  /** The clip, 1 KiB every 100 ms, until the client goes away. */
  private void drip(HttpServerResponse resp) {
    resp.setChunked(true);
    int[] at = {0};
    long timer = vertx.setPeriodic(1, 100, t -> {
      if (!resp.closed() && at[0] + 1024 <= clip.length) {
        resp.write(Buffer.buffer(clip).getBuffer(at[0], at[0] + 1024));
        at[0] += 1024;
      }
    });
    resp.closeHandler(v -> vertx.cancelTimer(timer));
  }

  @Override
  public void close() throws Exception {
    http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    https.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
