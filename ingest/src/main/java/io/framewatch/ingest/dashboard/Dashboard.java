package io.framewatch.ingest.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's routes: {@code GET /dashboard/} and its own small pages, scripts and styles
 * (read once from the classpath), and {@code GET /dashboard/vendor/NAME} for uPlot's files, which
 * are fetched from npm into the cache on first request, on the worker pool. Everything the page
 * shows comes from the public API ({@code /v1/videos}, {@code /v1/alerts}, {@code /v1/events}).
 */
public final class Dashboard {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final String ROOT = "framewatch/dashboard/";
  private static final Map<String, String> PAGES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "video.js", "text/javascript; charset=utf-8",
      "framewatch.css", "text/css; charset=utf-8");

  private final Vertx vertx;
  private final Path cacheDir;
  private final Map<String, Buffer> pages = new HashMap<>();
  private final Map<WebAssets, Path> fetched = new ConcurrentHashMap<>();

  private Dashboard(Vertx vertx, Path cacheDir) {
    this.vertx = vertx;
    this.cacheDir = cacheDir;
    PAGES.keySet().forEach(name -> pages.put(name, Buffer.buffer(file(name))));
  }

  /**
   * Adds the dashboard's routes to {@code router}.
   *
   * @param cacheDir the framewatch cache, where uPlot is kept
   */
  public static void mount(Router router, Vertx vertx, Path cacheDir) {
    Dashboard d = new Dashboard(vertx, cacheDir);
    // Vert.x matches "/dashboard" with or without the slash; relative links need the slash
    router.get("/dashboard").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        d.page(ctx, "index.html");
      } else {
        ctx.redirect("/dashboard/");
      }
    });
    router.get("/dashboard/vendor/:name").handler(d::vendor);
    router.get("/dashboard/:name").handler(ctx -> d.page(ctx, ctx.pathParam("name")));
  }

  /**
   * One of the dashboard's own files, as text: {@code video.js} (the chart and tables of one
   * video) and {@code framewatch.css} are also inlined into the HTML report.
   *
   * @throws IllegalArgumentException for a name that is not one of them
   */
  public static String file(String name) {
    if (!PAGES.containsKey(name)) {
      throw new IllegalArgumentException("no dashboard file " + name + "; have " + PAGES.keySet());
    }
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + name + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void page(RoutingContext ctx, String name) {
    Buffer body = pages.get(name);
    if (body == null) {
      error(ctx, 404, "no dashboard file " + name);
      return;
    }
    ctx.response().putHeader("Content-Type", PAGES.get(name))
        .putHeader("Cache-Control", "no-cache").end(body);
  }

  private void vendor(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<WebAssets> asset = Arrays.stream(WebAssets.values())
        .filter(a -> a.fileName().equals(name)).findFirst();
    if (asset.isEmpty()) {
      error(ctx, 404, "no vendor file " + name);
      return;
    }
    Path cached = fetched.get(asset.get());
    if (cached != null) {
      send(ctx, cached);
      return;
    }
    vertx.executeBlocking(() -> asset.get().fetch(cacheDir)).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("dashboard: cannot fetch {}: {}", name, r.cause().toString());
        error(ctx, 503, "cannot fetch " + name + " from npm: " + r.cause().getMessage());
      } else {
        fetched.put(asset.get(), r.result());
        send(ctx, r.result());
      }
    });
  }

  private static void send(RoutingContext ctx, Path file) {
    String type = file.toString().endsWith(".css") ? "text/css; charset=utf-8"
        : "text/javascript; charset=utf-8";
    // the file is pinned by its digest, so browsers may keep it
    ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", "max-age=86400")
        .sendFile(file.toString());
  }

  private static void error(RoutingContext ctx, int status, String reason) {
    ctx.response().setStatusCode(status);
    ctx.json(new JsonObject().put("error", reason).put("status", status));
  }
}
