package io.framewatch.ingest;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The ingest stage: the Vert.x HTTP API, its Kafka producer and its verdict view. */
public final class IngestApp implements AutoCloseable {
  private final Vertx vertx;
  private final KafkaProducer<byte[], byte[]> producer;
  private final VerdictView view;
  private final int port;

  private IngestApp(Vertx vertx, KafkaProducer<byte[], byte[]> producer, VerdictView view,
      int port) {
    this.vertx = vertx;
    this.producer = producer;
    this.view = view;
    this.port = port;
  }

  /**
   * Starts the server and waits until it listens.
   *
   * @throws Exception when the port cannot be bound or the media store is not writable
   */
  public static IngestApp start(IngestConfig cfg) throws Exception {
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        cfg.kafka().producer("ingest", false), new ByteArraySerializer(), new ByteArraySerializer());
    VerdictView view = VerdictView.start(cfg.kafka());
    Vertx vertx = Vertx.vertx();
    try {
      IngestVerticle verticle = new IngestVerticle(cfg, producer, view);
      vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return new IngestApp(vertx, producer, view, verticle.port());
    } catch (Exception e) {
      vertx.close();
      view.close();
      producer.close();
      throw e;
    }
  }

  /** The HTTP port the API listens on. */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    } finally {
      view.close();
      producer.close(Duration.ofSeconds(5));
    }
  }
}
