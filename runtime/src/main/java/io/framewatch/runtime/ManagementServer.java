package io.framewatch.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's view of one process: {@code GET /health/live} (200 while no worker died, else
 * 503: restart me), {@code GET /health/ready} (200 once every stage's consumers joined their
 * groups, models are loaded and the broker answers, else 503: send me no work) and
 * {@code GET /metrics} (Prometheus text). Both health answers carry a JSON body with each check.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
  private static final long BROKER_CHECK_MS = 5_000;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Admin admin;
  private final Thread brokerCheck;
  private volatile String broker = "not checked yet";
  private volatile boolean brokerUp;

  /**
   * Binds and starts serving.
   *
   * @param host interface to bind
   * @param port port, 0 for a free one
   * @param stages the stages of this process
   * @param registry the process's registry, served on {@code /metrics}
   * @param kafka the cluster, checked every 5 s for readiness
   * @throws IOException when the port cannot be bound
   */
  public ManagementServer(String host, int port, Supplier<List<Stage>> stages,
      PrometheusMeterRegistry registry, KafkaSettings kafka) throws IOException {
    admin = Admin.create(kafka.admin());
    brokerCheck = new Thread(this::checkBroker, "framewatch-broker-check");
    brokerCheck.setDaemon(true);
    brokerCheck.start();
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "framewatch-management");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/health/live", ex -> {
      Health h = health(stages);
      respond(ex, h.live() ? 200 : 503, "application/json", json(h, h.live()));
    });
    server.createContext("/health/ready", ex -> {
      Health h = health(stages);
      respond(ex, h.ready() ? 200 : 503, "application/json", json(h, h.ready()));
    });
    server.createContext("/metrics", ex -> respond(ex, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.start();
    LOG.info("health and metrics on http://{}:{}/", host, port());
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private Health health(Supplier<List<Stage>> stages) {
    Health h = new Health(true, brokerUp, Map.of("broker", broker));
    for (Stage s : stages.get()) {
      h = h.and(s.health());
    }
    return h;
  }

  private void checkBroker() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        int n = admin.describeCluster(new DescribeClusterOptions().timeoutMs(4_000)).nodes()
            .get(5, TimeUnit.SECONDS).size();
        broker = n + " broker(s) reachable";
        brokerUp = n > 0;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        broker = "unreachable: " + e.getMessage();
        brokerUp = false;
      }
      try {
        Thread.sleep(BROKER_CHECK_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String json(Health h, boolean up) {
    String checks = h.checks().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
        .collect(Collectors.joining(","));
    return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"checks\":{" + checks + "}}\n";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        byte[] msg = "{\"error\":\"only GET\"}\n".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(405, msg.length);
        ex.getResponseBody().write(msg);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    brokerCheck.interrupt();
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
