package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.runtime.Health;
import io.framewatch.runtime.Stage;
import io.framewatch.runtime.StageContext;
import io.framewatch.runtime.VideoFiles;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest stage: the Vert.x HTTP API, its Kafka producer, its read view, video deletion and
 * the retention sweeper.
 */
public final class IngestApp implements Stage {
  private final IngestConfig cfg;
  private final StageContext ctx;
  private volatile Vertx vertx;
  private volatile KafkaProducer<byte[], byte[]> producer;
  private volatile ReadView view;
  private volatile IngestVerticle verticle;
  private volatile VideoDeletion deletion;
  private volatile RetentionSweeper sweeper;
  private volatile int port;

  /**
   * @param cfg stage settings
   * @param ctx the process's context (what to do when the view's reader dies)
   */
  public IngestApp(IngestConfig cfg, StageContext ctx) {
    this.cfg = cfg;
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return "ingest";
  }

  /**
   * Starts the server and waits until it listens.
   *
   * @throws Exception when the port cannot be bound or the media store is not writable
   */
  @Override
  public void start() throws Exception {
    producer = new KafkaProducer<>(
        cfg.kafka().producer("ingest", false), new ByteArraySerializer(), new ByteArraySerializer());
    view = ReadView.of(cfg.kafka(), cfg.view(), ctx.onWorkerDeath()).start();
    String worker = ctx.host() + "/ingest-" + ProcessHandle.current().pid();
    deletion = new VideoDeletion(new VideoFiles(cfg.mediaDir()), producer, view, worker);
    if (!cfg.retention().sweepEvery().isZero()) {
      sweeper = new RetentionSweeper(cfg.kafka(), view, deletion, cfg.retention().perTenant(),
          cfg.retention().sweepEvery(), worker);
    }
    vertx = Vertx.vertx();
    try {
      IngestVerticle verticle = new IngestVerticle(cfg, producer, view,
          Quota.of(new TenantLimits(cfg.tenants()), view), deletion,
          ReadApi.HEARTBEAT_MS);
      this.verticle = verticle;
      vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      port = verticle.port();
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** The HTTP port the API listens on. */
  public int port() {
    return port;
  }

  /** Deletes videos of this stage's media store and cluster (what DELETE and retention use). */
  public VideoDeletion deletion() {
    return deletion;
  }

  /** Live while the view's reader runs; ready once it has caught up with the topics. */
  @Override
  public Health health() {
    ReadView v = view;
    if (v == null || port == 0) {
      return new Health(true, false, Map.of("ingest", "starting"));
    }
    Health h = v.health().and(Health.up("ingest-api",
        "port " + port + ", " + verticle.eventClients() + " event stream clients"));
    RetentionSweeper s = sweeper;
    return s == null ? h : h.and(s.health());
  }

  @Override
  public void close() {
    try {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    } finally {
      if (sweeper != null) {
        sweeper.close();
      }
      if (view != null) {
        view.close();
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
