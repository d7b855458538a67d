package io.framewatch.ingest;

import io.framewatch.ingest.UrlIntake.Limits;
import io.framewatch.ingest.UrlIntake.Outcome;
import io.framewatch.ingest.UrlIntake.Progress;
import io.framewatch.runtime.OutboundGuard;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What the intake tests share: Vert.x, a {@link VideoSource}, names resolved here (never by DNS),
 * and the intake's log lines captured to show that no query string reaches them.
 *
 * <p>Names: {@code media.test} and {@code other.test} resolve to 127.0.0.1, {@code meta.test} to
 * the cloud metadata address 169.254.169.254, {@code rebind.test} to 127.0.0.1 the first time and
 * to 10.9.9.9 after (a rebinding attacker); the rest does not resolve.
 */
final class IntakeFixture implements AutoCloseable {
  static final long MIB = 1024 * 1024;
  /** 1 MiB, 5 s to connect, 5 s idle (a cold JVM on a busy machine), 20 s in all, progress every
   * 64 KiB. */
  static final Limits LIMITS = new Limits(MIB, 5000, 5000, 20_000, 64 * 1024, 60_000);
  private static final String LOGGER = UrlFetch.class.getName();

  final Vertx vertx = Vertx.vertx();
  final VideoSource source;
  final Path incoming;
  final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
  final List<String> logs = new CopyOnWriteArrayList<>();
  private final AbstractAppender appender;

  IntakeFixture(Path incoming) throws Exception {
    this.incoming = incoming;
    this.source = new VideoSource(vertx);
    appender = new AbstractAppender("intake-capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        logs.add(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    LoggerConfig config = new LoggerConfig(LOGGER, Level.DEBUG, true);
    config.addAppender(appender, Level.DEBUG, null);
    ctx.getConfiguration().addLogger(LOGGER, config);
    ctx.updateLoggers();
  }

  InetAddress[] resolve(String host) throws UnknownHostException {
    int n = lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    String ip = switch (host) {
      case "media.test", "other.test" -> "127.0.0.1";
      case "meta.test" -> "169.254.169.254";
      case "rebind.test" -> n == 1 ? "127.0.0.1" : "10.9.9.9";
      default -> throw new UnknownHostException(host);
    };
    return new InetAddress[] {InetAddress.getByName(ip)};
  }

  /** A guard with {@code allow} (as FRAMEWATCH_SOURCE_ALLOW) and this fixture's names. */
  OutboundGuard guard(String allow) {
    return OutboundGuard.of(allow, this::resolve);
  }

  /** An intake that reaches 127.0.0.1 only (not the rest of loopback) and trusts the source. */
  UrlIntake intake() {
    return intake("127.0.0.1/32", LIMITS);
  }

  UrlIntake intake(String allow, Limits limits) {
    return new UrlIntake(vertx, guard(allow), limits, source.certificate().trustOptions());
  }

  /** A fresh file name in the incoming directory. */
  Path target() {
    return incoming.resolve(UUID.randomUUID() + ".part");
  }

  static Outcome fetch(UrlIntake intake, String url, Path target, Progress progress)
      throws Exception {
    return intake.fetch(url, target, progress).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  String http(String path) {
    return "http://127.0.0.1:" + source.port() + path;
  }

  @Override
  public void close() throws Exception {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().removeLogger(LOGGER);
    ctx.updateLoggers();
    appender.stop();
    source.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
