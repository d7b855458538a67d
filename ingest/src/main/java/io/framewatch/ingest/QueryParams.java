package io.framewatch.ingest;

import io.framewatch.ingest.view.ReadView;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Reads the query parameters of the read routes; a bad one is an {@link IllegalArgumentException}
 * whose message is the 400 reason.
 */
final class QueryParams {
  private QueryParams() {}

  /** The parameter's single value, null when absent or empty. */
  static String text(RoutingContext ctx, String name) {
    List<String> all = ctx.queryParam(name);
    if (all.size() > 1) {
      throw new IllegalArgumentException(name + " may be given once, got " + all.size());
    }
    return all.isEmpty() || all.get(0).isEmpty() ? null : all.get(0);
  }

  /** {@code limit} in [1, max], {@code def} when absent. */
  static int limit(RoutingContext ctx, int def, int max) {
    String v = text(ctx, "limit");
    if (v == null) {
      return def;
    }
    long n = number(v, "limit");
    if (n < 1 || n > max) {
      throw new IllegalArgumentException("limit must be in [1, " + max + "], got " + v);
    }
    return (int) n;
  }

  /** {@code since}, a wall time in ms since the epoch; 0 when absent. */
  static long since(RoutingContext ctx) {
    String v = text(ctx, "since");
    if (v == null) {
      return 0;
    }
    long n = number(v, "since");
    if (n < 0) {
      throw new IllegalArgumentException("since must be milliseconds since the epoch, got " + v);
    }
    return n;
  }

  private static long number(String v, String name) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
    }
  }

  /**
   * Answers 503 with a retry hint while the view is still reading the topics (its answers would be
   * incomplete).
   *
   * @return true when the request was answered
   */
  static boolean refuseWhileLoading(RoutingContext ctx, ReadView view) {
    if (view.ready()) {
      return false;
    }
    ctx.response().putHeader("Retry-After", "1");
    ApiErrors.send(ctx, 503, "the read view is still loading: "
        + view.health().checks().values().iterator().next());
    return true;
  }
}
