package io.framewatch.ingest;

import io.framewatch.runtime.ApiKeys.Principal;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The dashboard's login: {@code POST /v1/session} with {@code {"key": "fw_..."}} checks the key
 * and sets it in the {@value ApiKeyAuth#COOKIE} cookie (HttpOnly, so page scripts never read it;
 * SameSite=Strict, so other sites' pages cannot send it; Secure when the request came over https,
 * directly or through a proxy that says so in {@code X-Forwarded-Proto}). A browser's
 * EventSource cannot send an Authorization header, but it sends the cookie.
 * {@code DELETE /v1/session} clears it.
 */
final class SessionRoutes {
  private final ApiKeyAuth auth;

  SessionRoutes(ApiKeyAuth auth) {
    this.auth = auth;
  }

  void login(RoutingContext ctx) {
    String key = ApiRouter.body(ctx).getString("key");
    Optional<Principal> p = auth.authenticate(key == null ? null : key.trim());
    if (p.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"framewatch\"");
      ApiErrors.send(ctx, 401, "the API key is not valid");
      return;
    }
    ctx.response().addCookie(cookie(ctx, key.trim()));
    ctx.json(new JsonObject().put("tenant", p.get().tenant()).put("admin", p.get().admin()));
  }

  void logout(RoutingContext ctx) {
    ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
    ctx.response().setStatusCode(204).end();
  }

  private static Cookie cookie(RoutingContext ctx, String value) {
    String proto = ctx.request().getHeader("X-Forwarded-Proto");
    boolean https = ctx.request().isSSL() || "https".equalsIgnoreCase(proto);
    return Cookie.cookie(ApiKeyAuth.COOKIE, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setSecure(https);
  }
}
