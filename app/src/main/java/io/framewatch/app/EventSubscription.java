package io.framewatch.app;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An open Server-Sent Events stream of the API ({@code GET /v1/events}), read on a thread of its
 * own: the events received so far, each with its id, name and JSON data, and the comment lines.
 * Closing it disconnects.
 */
public final class EventSubscription implements AutoCloseable {
  /**
   * One event.
   *
   * @param id its {@code id:}, what {@code Last-Event-ID} resumes after
   * @param name {@code verdict} or {@code alert}
   * @param data the JSON of the verdict or alert
   */
  public record Event(String id, String name, JsonObject data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final InputStream body;
  private final Thread reader;
  private volatile boolean closed;

  private EventSubscription(InputStream body) {
    this.body = body;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
  }

  static EventSubscription open(HttpClient http, HttpRequest.Builder req, String lastEventId)
      throws IOException, InterruptedException {
    req.header("Accept", "text/event-stream");
    if (lastEventId != null) {
      req.header("Last-Event-ID", lastEventId);
    }
    HttpRequest built = req.build();
    HttpResponse<InputStream> r = http.send(built, HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      try (InputStream in = r.body()) {
        throw new IOException("GET " + built.uri() + ": HTTP " + r.statusCode() + ": "
            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    EventSubscription s = new EventSubscription(r.body());
    s.reader.start();
    return s;
  }

  private void read() {
    String id = null;
    String name = "message";
    StringBuilder data = new StringBuilder();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body,
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, name, new JsonObject(data.toString())));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).strip());
        } else if (line.startsWith("id:")) {
          id = value(line);
        } else if (line.startsWith("event:")) {
          name = value(line);
        } else if (line.startsWith("data:")) {
          data.append(data.isEmpty() ? "" : "\n").append(value(line));
        }
      }
    } catch (IOException e) {
      if (!closed) {
        comments.add("stream failed: " + e.getMessage());
      }
    }
  }

  /** A field's value: what follows the colon, without one leading space (as SSE defines). */
  private static String value(String line) {
    String v = line.substring(line.indexOf(':') + 1);
    return v.startsWith(" ") ? v.substring(1) : v;
  }

  /** The events received so far, in order. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The comment lines received so far (keep-alives, notes on resuming). */
  public List<String> comments() {
    return List.copyOf(comments);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    body.close();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
