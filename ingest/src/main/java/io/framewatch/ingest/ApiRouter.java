package io.framewatch.ingest;

import io.framewatch.ingest.dashboard.Dashboard;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/**
 * Builds the API's router from the OpenAPI document {@value #DOCUMENT}: one route per operation,
 * each validated against the document before its handler runs, behind the {@link FrontDoor}
 * (keys, then bodies). Besides the document's routes the router serves only the dashboard's files
 * ({@link #UNDOCUMENTED}).
 */
final class ApiRouter {
  /** The contract, on the classpath. */
  static final String DOCUMENT = "framewatch/openapi.yaml";
  /** Paths the router serves that are not API operations: the dashboard's static files. */
  static final Set<String> UNDOCUMENTED = Set.of("/dashboard", "/dashboard/vendor/:name",
      "/dashboard/:name");

  private ApiRouter() {}

  /** The document as JSON (what {@code GET /openapi.json} serves). */
  static JsonObject document() {
    try (InputStream in = ApiRouter.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(DOCUMENT + " is not on the classpath");
      }
      Map<String, Object> yaml = new Yaml().load(new String(in.readAllBytes(),
          StandardCharsets.UTF_8));
      return new JsonObject(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The document, parsed and checked by Vert.x, which validates requests against it. Two parts
   * are left out of the copy it gets: the security requirements, which the {@link FrontDoor}
   * enforces itself (before the body is read, and Vert.x has no handler for plain bearer keys),
   * and response contents of media types Vert.x could not validate and so refuses (the event
   * stream's {@code text/event-stream}); responses are not validated.
   */
  static Future<OpenAPIContract> contract(Vertx vertx, JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove("security");
    for (String path : copy.getJsonObject("paths").fieldNames()) {
      JsonObject item = copy.getJsonObject("paths").getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op) {
          op.remove("security");
        }
        if (item.getValue(method) instanceof JsonObject op
            && op.getValue("responses") instanceof JsonObject responses) {
          responses.forEach(r -> {
            if (r.getValue() instanceof JsonObject response
                && response.getValue("content") instanceof JsonObject content) {
              content.fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
            }
          });
        }
      }
    }
    return OpenAPIContract.from(vertx, copy);
  }

  /**
   * The operations that need an API key: those whose own {@code security} is not empty, or that
   * have none and the document's is not.
   */
  static Set<String> secured(JsonObject document) {
    boolean global = !document.getJsonArray("security", new JsonArray()).isEmpty();
    Set<String> out = new HashSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      paths.getJsonObject(path).forEach(e -> {
        if (e.getValue() instanceof JsonObject op && op.containsKey("operationId")) {
          JsonArray own = op.getJsonArray("security");
          if (own == null ? global : !own.isEmpty()) {
            out.add(op.getString("operationId"));
          }
        }
      });
    }
    return out;
  }

  /**
   * The router.
   *
   * @param operations a handler for every {@code operationId} of the document
   * @param cacheDir where the dashboard keeps its chart library
   * @throws IllegalStateException when an operation has no handler or a handler no operation
   */
  static Router build(Vertx vertx, OpenAPIContract contract, FrontDoor door,
      Map<String, Handler<RoutingContext>> operations, Path cacheDir, long maxUploadBytes) {
    RouterBuilder b = RouterBuilder.create(vertx, contract, new FormExtractor());
    b.rootHandler(door);
    Handler<RoutingContext> failed = ctx -> ApiErrors.handle(ctx, maxUploadBytes);
    Set<String> unused = new HashSet<>(operations.keySet());
    for (OpenAPIRoute route : b.getRoutes()) {
      String id = route.getOperation().getOperationId();
      Handler<RoutingContext> h = operations.get(id);
      if (h == null) {
        throw new IllegalStateException("operation " + id + " of " + DOCUMENT
            + " has no handler");
      }
      unused.remove(id);
      route.addHandler(h).addFailureHandler(failed);
    }
    if (!unused.isEmpty()) {
      throw new IllegalStateException("handlers of operations " + DOCUMENT + " lacks: " + unused);
    }
    Router router = b.createRouter();
    Dashboard.mount(router, vertx, cacheDir);
    router.route().failureHandler(failed);
    router.errorHandler(404, ApiErrors::notFound);
    router.errorHandler(405, failed);
    return router;
  }

  /** Answers the document (operation {@code openApiDocument}). */
  static Handler<RoutingContext> serve(JsonObject document) {
    Buffer json = Buffer.buffer(document.encodePrettily());
    return ctx -> ctx.response().putHeader("Content-Type", "application/json").end(json);
  }

  /** The request's body as the validator typed it (an empty object when it has none). */
  static JsonObject body(RoutingContext ctx) {
    ValidatedRequest v = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject body = v == null || v.getBody() == null || v.getBody().isNull() ? null
        : v.getBody().getJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
