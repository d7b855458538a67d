package io.framewatch.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** A small client of framewatch's HTTP API, as any user would call it. */
public final class ApiClient {
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String key;

  /**
   * @param base base URL of the API, e.g. {@code http://127.0.0.1:8080}
   * @param key the API key sent as {@code Authorization: Bearer KEY}; null sends none
   */
  public ApiClient(String base, String key) {
    this.base = base;
    this.key = key;
  }

  /** A request to {@code base + pathAndQuery}, with the key. */
  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
    return key == null ? b : b.header("Authorization", "Bearer " + key);
  }

  /**
   * An HTTP answer.
   *
   * @param status HTTP status code
   * @param body the JSON body
   */
  public record Response(int status, JsonObject body) {}

  /** Uploads a file as multipart/form-data (streamed from disk); returns the video id. */
  public String upload(Path file) throws IOException, InterruptedException {
    Response r = post(file);
    if (r.status() != 202) {
      throw new IOException(file.getFileName() + ": HTTP " + r.status() + ": "
          + r.body().getString("error"));
    }
    return r.body().getString("videoId");
  }

  /** POSTs a file to {@code /v1/videos} and returns whatever the API answered. */
  public Response post(Path file) throws IOException, InterruptedException {
    return post(file, java.util.Map.of());
  }

  /** POSTs a file with extra form fields (job options) and returns what the API answered. */
  public Response post(Path file, java.util.Map<String, String> fields)
      throws IOException, InterruptedException {
    String boundary = "fw-" + UUID.randomUUID();
    String name = file.getFileName().toString().replace("\"", "");
    StringBuilder form = new StringBuilder();
    fields.forEach((k, v) -> form.append("--").append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n")
        .append(v).append("\r\n"));
    byte[] head = (form + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
        + " filename=\"" + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    HttpRequest req = request("/v1/videos")
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
            HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofByteArray(tail)))
        .timeout(Duration.ofMinutes(5))
        .build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), parse(r));
  }

  /** Starts analysing a live stream; returns its video id. */
  public String startStream(String url) throws IOException, InterruptedException {
    HttpRequest req = request("/v1/streams")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).encode()))
        .timeout(Duration.ofSeconds(30)).build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    JsonObject body = parse(r);
    if (r.statusCode() != 202) {
      throw new IOException(url + ": HTTP " + r.statusCode() + ": " + body.getString("error"));
    }
    return body.getString("videoId");
  }

  /** Asks for a live stream to stop; its verdict then becomes FINAL. */
  public void stopStream(String videoId) throws IOException, InterruptedException {
    HttpRequest req = request("/v1/streams/" + videoId + "/stop")
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IOException(videoId + ": HTTP " + r.statusCode() + ": " + r.body());
    }
  }

  /** Current status and verdict of a video (RUNNING while the API's view is loading). */
  public JsonObject status(String videoId) throws IOException, InterruptedException {
    HttpRequest req = request("/v1/videos/" + videoId)
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    JsonObject body = parse(r);
    if (r.statusCode() == 503) {
      return new JsonObject().put("videoId", videoId).put("status", "RUNNING");
    }
    if (r.statusCode() != 200) {
      throw new IOException(videoId + ": HTTP " + r.statusCode() + ": " + body.getString("error"));
    }
    return body;
  }

  /** {@code GET} of a path with its query, e.g. {@code /v1/videos?status=FINAL}. */
  public Response get(String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest req = request(pathAndQuery)
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), parse(r));
  }

  /** {@code DELETE} of a path, e.g. {@code /v1/videos/ID}. */
  public Response delete(String path) throws IOException, InterruptedException {
    HttpRequest req = request(path).timeout(Duration.ofSeconds(30)).DELETE().build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), parse(r));
  }

  /**
   * Opens {@code GET /v1/events}: verdict and alert events as they happen.
   *
   * @param lastEventId resume after this event id; null for events from now on
   */
  public EventSubscription events(String lastEventId) throws IOException, InterruptedException {
    return EventSubscription.open(http, request("/v1/events"), lastEventId);
  }

  private static JsonObject parse(HttpResponse<String> r) throws IOException {
    try {
      return new JsonObject(r.body());
    } catch (RuntimeException e) {
      throw new IOException("HTTP " + r.statusCode() + " with a body that is not JSON: "
          + r.body(), e);
    }
  }
}
