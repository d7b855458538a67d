package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.runtime.VideoFiles;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;

/**
 * The HTTP API, wired: the OpenAPI document's operations ({@link ApiRouter}) served by the route
 * handlers ({@link UploadRoutes}, {@link ReadApi}, {@link StreamRoutes}, {@link WebhookRoutes},
 * {@link SessionRoutes}, {@link TenantRoutes}) over the {@link MediaStore} and the
 * {@link JobPublisher}; URL intakes download in the background ({@link UrlDownloads}), and
 * stopping fails those still running. Blocking work (file checks, Kafka acknowledgements) runs on the worker
 * pool, never on the event loop.
 */
public final class IngestVerticle extends VerticleBase {
  private final IngestConfig cfg;
  private final Producer<byte[], byte[]> producer;
  private final ReadView view;
  private final Quota quota;
  private final VideoDeletion deletion;
  private final long heartbeatMs;
  private HttpServer server;
  private Router router;
  private WebhookRoutes webhooks;
  private ReadApi readApi;
  private UrlDownloads downloads;

  /**
   * @param quota per-tenant limits of uploads and streams
   * @param deletion what {@code DELETE /v1/videos/{id}} deletes with
   * @param heartbeatMs interval of the event stream's keep-alive comment
   */
  IngestVerticle(IngestConfig cfg, Producer<byte[], byte[]> producer, ReadView view, Quota quota,
      VideoDeletion deletion, long heartbeatMs) {
    this.deletion = deletion;
    this.cfg = cfg;
    this.producer = producer;
    this.view = view;
    this.quota = quota;
    this.heartbeatMs = heartbeatMs;
  }

  @Override
  public Future<?> start() throws Exception {
    MediaStore media = new MediaStore(cfg.mediaDir()).create();
    JobPublisher jobs = new JobPublisher(producer);
    ApiKeyAuth auth = new ApiKeyAuth(cfg.keys());
    downloads = new UrlDownloads(vertx, media, jobs,
        new UrlIntake(vertx, cfg.guard(), cfg.intake()));
    UploadRoutes uploads = new UploadRoutes(vertx, media, jobs, quota, cfg.guard(), downloads);
    StreamRoutes streams = new StreamRoutes(vertx, producer, cfg.guard(), jobs, view, quota);
    webhooks = new WebhookRoutes(vertx, producer, cfg.kafka(), cfg.webhookGuard());
    readApi = new ReadApi(vertx, view, jobs, heartbeatMs);
    SessionRoutes session = new SessionRoutes(auth);
    TenantRoutes tenants = new TenantRoutes(view, cfg.keys().tenants());
    JsonObject document = ApiRouter.document();
    Map<String, Handler<RoutingContext>> operations = Map.ofEntries(
        Map.entry("health", ctx -> ctx.json(new JsonObject().put("status", "UP"))),
        Map.entry("openApiDocument", ApiRouter.serve(document)),
        Map.entry("login", session::login),
        Map.entry("logout", session::logout),
        Map.entry("submitVideo", uploads::submit),
        Map.entry("listVideos", readApi.videos::list),
        Map.entry("getVideo", readApi.videos::detail),
        Map.entry("deleteVideo", ctx -> readApi.videos.delete(ctx, deletion)),
        Map.entry("getEvidence", readApi.evidence(new VideoFiles(cfg.mediaDir()))::get),
        Map.entry("startStream", streams::startStream),
        Map.entry("getStream", readApi.videos::detail),
        Map.entry("stopStream", streams::stopStream),
        Map.entry("listAlerts", readApi.alerts::list),
        Map.entry("events", readApi.events::handle),
        Map.entry("createWebhook", webhooks::create),
        Map.entry("listWebhooks", webhooks::list),
        Map.entry("deleteWebhook", webhooks::delete),
        Map.entry("listTenants", tenants::list));
    return ApiRouter.contract(vertx, document).compose(contract -> {
      router = ApiRouter.build(vertx, contract,
          new FrontDoor(contract, ApiRouter.secured(document), auth, media,
              cfg.maxUploadBytes()), operations, cfg.cacheDir(),
          cfg.maxUploadBytes());
      return vertx.createHttpServer().requestHandler(router).listen(cfg.port(), cfg.host());
    }).onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() throws Exception {
    if (readApi != null) {
      readApi.close();
    }
    Future<Void> fetches = downloads == null ? Future.succeededFuture() : downloads.close();
    return fetches.compose(v -> webhooks == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          webhooks.close();
          return null;
        }));
  }

  /** The bound port (useful when the configured port was 0). */
  int port() {
    return server.actualPort();
  }

  /** The router, once started. */
  Router router() {
    return router;
  }

  /** Clients of the event stream now. */
  int eventClients() {
    return readApi.eventClients();
  }
}
