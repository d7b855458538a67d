package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The read routes of a view served on a free loopback port, as IngestVerticle mounts them. */
final class ReadApiServer implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private volatile ReadApi api;
  private volatile int port;

  ReadApiServer(ReadView view, Map<String, Long> accepted, long heartbeatMs) throws Exception {
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        Router router = Router.router(vertx);
        api = ReadApi.mount(vertx, router, view, accepted, heartbeatMs);
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
            .onSuccess(s -> port = s.actualPort());
      }

      @Override
      public Future<?> stop() {
        api.close();
        return Future.succeededFuture();
      }
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int port() {
    return port;
  }

  /** Event-stream clients connected now. */
  int eventClients() {
    return api.eventClients();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
