package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewLimits;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import io.framewatch.runtime.OutboundGuard;
import io.framewatch.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /v1/streams and its stop over HTTP: the outbound guard refuses with 400 naming the address
 * class; an accepted stream is queued for the caller's tenant, and only that tenant may stop it.
 */
@ExtendWith(VertxExtension.class)
class StreamRoutesTest {
  @TempDir
  Path media;
  private ApiServer server;
  private WebClient client;

  private void serve(Vertx vertx, OutboundGuard guard) throws Exception {
    server = new ApiServer(vertx, ReadView.detached(new ViewLimits(10, 10, 10, 10)), media,
        1024 * 1024, 60_000, guard);
    client = WebClient.create(vertx);
  }

  @AfterEach
  void close() throws Exception {
    server.close();
  }

  private HttpResponse<Buffer> post(String path, String key, JsonObject body) throws Exception {
    var req = client.post(server.port(), "127.0.0.1", path).bearerTokenAuthentication(key);
    return (body == null ? req.send() : req.sendJsonObject(body)).await();
  }

  @Test
  void shouldRefuseLoopbackLinkLocalAndPrivateSourcesWith400NamingTheClass(Vertx vertx)
      throws Exception {
    serve(vertx, OutboundGuard.of(null));
    for (String[] c : new String[][] {
        {"http://127.0.0.1:8080/live.ts", "is loopback"},
        {"rtsp://localhost/cam", "is loopback"},
        {"http://[::1]:9000/a.m3u8", "is loopback"},
        {"http://169.254.169.254/latest/meta-data/", "is link-local"},
        {"udp://239.0.0.1:1234", "is multicast"},
        {"tcp://0.0.0.0:9000", "is unspecified"},
        {"rtsp://192.168.1.20/stream", "is private"},
        {"srt://100.64.0.9:9000", "is shared (CGNAT)"}}) {
      HttpResponse<Buffer> r = post("/v1/streams", server.key, new JsonObject().put("url", c[0]));
      assertEquals(400, r.statusCode(), c[0] + ": " + r.bodyAsString());
      String error = r.bodyAsJsonObject().getString("error");
      assertTrue(error.contains(c[1]), c[0] + ": " + error);
    }
    assertTrue(server.producer.history().isEmpty(), "nothing queued");
  }

  @Test
  void shouldQueueAnAllowedSourceForTheCallersTenantAndLetOnlyThatTenantStopIt(Vertx vertx)
      throws Exception {
    serve(vertx, OutboundGuard.of("127.0.0.0/8"));
    HttpResponse<Buffer> r = post("/v1/streams", server.key,
        new JsonObject().put("url", "http://127.0.0.1:8080/live.ts").put("fps", 2));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("videoId");
    assertEquals(2, server.producer.history().size(), "accepted event and job");
    VideoEvent accepted = VideoEvent.parseFrom(server.producer.history().get(0).value());
    VideoJob job = VideoJob.parseFrom(server.producer.history().get(1).value());
    assertEquals("acme", accepted.getAccepted().getTenant());
    assertEquals("acme", job.getTenant());
    assertEquals(2.0, job.getDetectSampling().getFramesPerSecond());

    HttpResponse<Buffer> foreign = post("/v1/streams/" + id + "/stop", server.otherKey, null);
    HttpResponse<Buffer> unknown = post("/v1/streams/no-such-stream/stop", server.otherKey, null);
    assertEquals(404, foreign.statusCode(), foreign.bodyAsString());
    assertEquals(unknown.bodyAsJsonObject().getString("error").replace("no-such-stream", id),
        foreign.bodyAsJsonObject().getString("error"), "the same answer as an unknown id");
    assertEquals(2, server.producer.history().size(), "no stop sent");

    HttpResponse<Buffer> stop = post("/v1/streams/" + id + "/stop", server.key, null);
    assertEquals(202, stop.statusCode(), stop.bodyAsString());
    assertEquals(Topics.VIDEO_CONTROL.name(), server.producer.history().get(2).topic());
    assertTrue(StreamControl.parseFrom(server.producer.history().get(2).value()).getStop());
  }

  @Test
  void shouldRefuseABodyTheDocumentRefusesNamingTheField(Vertx vertx) throws Exception {
    serve(vertx, OutboundGuard.of("127.0.0.0/8"));
    HttpResponse<Buffer> r = post("/v1/streams", server.key,
        new JsonObject().put("url", "rtsp://127.0.0.1/cam").put("fps", 500));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsJsonObject().getString("error").startsWith("fps: "), r.bodyAsString());
    HttpResponse<Buffer> none = post("/v1/streams", server.key, new JsonObject().put("fps", 2));
    assertEquals(400, none.statusCode(), none.bodyAsString());
    assertTrue(none.bodyAsJsonObject().getString("error").contains("url"), none.bodyAsString());
    assertTrue(server.producer.history().isEmpty(), "nothing queued");
  }
}
