package io.framewatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.ingest.view.ReadView;
import io.framewatch.ingest.view.ViewLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document is the contract: every route the running API mounts is one of its
 * operations (or one of the dashboard's files, listed as undocumented on purpose), and every
 * operation is mounted.
 */
@ExtendWith(VertxExtension.class)
class ApiContractTest {
  @TempDir
  Path media;

  @Test
  void shouldMountExactlyTheDocumentsOperationsBesidesTheDashboard(Vertx vertx)
      throws Exception {
    Set<String> documented = new TreeSet<>();
    JsonObject paths = ApiRouter.document().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (paths.getJsonObject(path).getValue(method) instanceof JsonObject) {
          documented.add(method.toUpperCase(Locale.ROOT) + " "
              + path.replaceAll("\\{([^}]+)}", ":$1"));
        }
      }
    }
    Set<String> mounted = new TreeSet<>();
    try (ApiServer server = new ApiServer(vertx,
        ReadView.detached(new ViewLimits(1, 1, 1, 1)), media, 1024, 60_000)) {
      for (Route r : server.verticle.router().getRoutes()) {
        if (r.getPath() == null) {
          assertTrue(r.methods() == null || r.methods().isEmpty(),
              "a route of every path is only for the front door and failures: " + r);
          continue;
        }
        if (ApiRouter.UNDOCUMENTED.contains(r.getPath())) {
          continue;
        }
        assertTrue(r.methods() != null && r.methods().size() == 1,
            r.getPath() + " must name its one method");
        for (HttpMethod m : r.methods()) {
          mounted.add(m.name() + " " + r.getPath());
        }
      }
    }
    assertEquals(documented, mounted,
        "a route is mounted without being in " + ApiRouter.DOCUMENT + ", or the reverse");
  }

  @Test
  void shouldDeclareA401AnswerOnEverySecuredOperationAndA400WhereThereIsInput() {
    JsonObject doc = ApiRouter.document();
    Set<String> secured = ApiRouter.secured(doc);
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op)) {
          continue;
        }
        String id = op.getString("operationId");
        JsonObject responses = op.getJsonObject("responses");
        if (secured.contains(id)) {
          assertTrue(responses.containsKey("401"), id + " documents no 401");
        }
        if (op.containsKey("requestBody") || op.containsKey("parameters")
            || item.containsKey("parameters")) {
          assertTrue(responses.containsKey("400"), id + " documents no 400");
        }
      }
    }
    assertTrue(secured.contains("listTenants") && !secured.contains("health")
        && !secured.contains("openApiDocument") && !secured.contains("login"), secured.toString());
  }
}
