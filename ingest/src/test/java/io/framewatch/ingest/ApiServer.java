package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.Records;
import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.OutboundGuard;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole API (the verticle IngestApp deploys) on a free loopback port, over a detached read
 * view and Kafka's MockProducer (the handlers' answers depend on the acknowledgement, not on a
 * broker). Keys: {@link #key} of {@link Records#TENANT}, {@link #otherKey} of tenant "globex",
 * {@link #adminKey} of tenant "ops" with the admin flag.
 */
final class ApiServer implements AutoCloseable {
  /** Where the webhooks view would connect: nothing listens there (webhook tests are ITs). */
  private static final KafkaSettings NO_BROKER = new KafkaSettings("127.0.0.1:9");

  final String key;
  final String otherKey;
  final String adminKey;
  final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  final IngestVerticle verticle;
  private final Vertx vertx;

  /**
   * Deploys the API; blocks until it listens.
   *
   * @param media the media store
   * @param maxUploadBytes the upload limit
   * @param heartbeatMs interval of the event stream's keep-alive comment
   */
  ApiServer(Vertx vertx, ReadView view, Path media, long maxUploadBytes, long heartbeatMs)
      throws Exception {
    this(vertx, view, media, maxUploadBytes, heartbeatMs, OutboundGuard.of("127.0.0.0/8"));
  }

  /** As above; stream URLs may reach what {@code guard} allows. */
  ApiServer(Vertx vertx, ReadView view, Path media, long maxUploadBytes, long heartbeatMs,
      OutboundGuard guard) throws Exception {
    this(vertx, view, media, maxUploadBytes, heartbeatMs, guard,
        io.framewatch.runtime.TenantPolicies.parse(null), intake(maxUploadBytes));
  }

  /** As above, with the tenants' limits {@code tenants}, counted from {@code view}. */
  ApiServer(Vertx vertx, ReadView view, Path media, long maxUploadBytes, long heartbeatMs,
      OutboundGuard guard, io.framewatch.runtime.TenantPolicies tenants) throws Exception {
    this(vertx, view, media, maxUploadBytes, heartbeatMs, guard, tenants,
        intake(maxUploadBytes));
  }

  /** As above; URL intakes fetch within {@code intake}. */
  ApiServer(Vertx vertx, ReadView view, Path media, long maxUploadBytes, long heartbeatMs,
      OutboundGuard guard, UrlIntake.Limits intake) throws Exception {
    this(vertx, view, media, maxUploadBytes, heartbeatMs, guard,
        io.framewatch.runtime.TenantPolicies.parse(null), intake);
  }

  /** Short timeouts for the tests' URL intakes. */
  private static UrlIntake.Limits intake(long maxUploadBytes) {
    return new UrlIntake.Limits(maxUploadBytes, 5000, 5000, 20_000,
        UrlIntake.Limits.PROGRESS_BYTES, UrlIntake.Limits.PROGRESS_MS);
  }

  /** As above, with the tenants' limits and the URL intakes' limits. */
  ApiServer(Vertx vertx, ReadView view, Path media, long maxUploadBytes, long heartbeatMs,
      OutboundGuard guard, io.framewatch.runtime.TenantPolicies tenants, UrlIntake.Limits intake)
      throws Exception {
    this.vertx = vertx;
    ApiKeys.Created a = ApiKeys.create(Records.TENANT, false);
    ApiKeys.Created b = ApiKeys.create("globex", false);
    ApiKeys.Created c = ApiKeys.create("ops", true);
    key = a.key();
    otherKey = b.key();
    adminKey = c.key();
    IngestConfig cfg = new IngestConfig(NO_BROKER, "127.0.0.1", 0, media, maxUploadBytes,
        new io.framewatch.ingest.view.ViewLimits(100, 100, 100, 100),
        media.resolve("cache"), guard,
        new RetentionPolicy(java.time.Duration.ZERO, RetentionPolicy.KEEP_FOREVER),
        ApiKeys.parse(a.entry() + "," + b.entry() + "," + c.entry()), tenants, guard, intake);
    verticle = new IngestVerticle(cfg, producer, view, Quota.of(new TenantLimits(tenants), view),
        new VideoDeletion(new VideoFiles(media), producer, view, "test/ingest"), heartbeatMs);
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  int port() {
    return verticle.port();
  }

  /** Event-stream clients connected now. */
  int eventClients() {
    return verticle.eventClients();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
