package io.framewatch.ingest;

import io.framewatch.runtime.ApiKeys;
import io.framewatch.runtime.ApiKeys.Principal;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;

/**
 * Who is calling: the API key of {@code Authorization: Bearer fw_...}, {@code X-Api-Key} or the
 * dashboard's session cookie, looked up in {@link ApiKeys}. A request without a known key is
 * answered 401 with {@code WWW-Authenticate: Bearer} before its body is read.
 */
final class ApiKeyAuth {
  /** The session cookie {@code POST /v1/session} sets. */
  static final String COOKIE = "fw_session";
  private static final String PRINCIPAL = "framewatch.principal";

  private final ApiKeys keys;

  ApiKeyAuth(ApiKeys keys) {
    this.keys = keys;
  }

  /** The key's principal; empty for a missing, malformed or unknown key. */
  Optional<Principal> authenticate(String key) {
    return keys.authenticate(key);
  }

  /**
   * Puts the caller's principal on the context.
   *
   * @return false when the request was answered 401
   */
  boolean require(RoutingContext ctx) {
    String key = key(ctx.request());
    Optional<Principal> p = keys.authenticate(key);
    if (p.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"framewatch\"");
      ApiErrors.send(ctx, 401, key == null
          ? "an API key is required: send 'Authorization: Bearer fw_...' (docs/OPERATIONS.md,"
              + " Keys and tenants)"
          : "the API key is not valid");
      return false;
    }
    ctx.put(PRINCIPAL, p.get());
    return true;
  }

  /** The principal {@link #require} found; only on routes that need a key. */
  static Principal principal(RoutingContext ctx) {
    Principal p = ctx.get(PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("no principal on " + ctx.request().path()
          + ": the route is not secured in the OpenAPI document");
    }
    return p;
  }

  /** The key the request carries (header first, then the cookie), null when none. */
  static String key(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth != null && auth.length() > 7
        && auth.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return auth.substring(7).trim();
    }
    String header = req.getHeader("X-Api-Key");
    if (header != null && !header.isBlank()) {
      return header.trim();
    }
    Cookie c = req.getCookie(COOKIE);
    return c == null || c.getValue().isBlank() ? null : c.getValue();
  }
}
