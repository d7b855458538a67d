package io.framewatch.ingest;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error answer of the API is JSON {@code {"error": reason, "status": code}}. This also turns
 * what the router fails with into such answers: a request the OpenAPI document refuses is 400
 * naming the field, a body of a media type the operation does not take 415, a body over its limit
 * 413, a path no route has 404.
 */
final class ApiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /** Answers {@code status} with the reason. */
  static void send(RoutingContext ctx, int status, String reason) {
    ctx.response().setStatusCode(status);
    ctx.json(new JsonObject().put("error", reason).put("status", status));
  }

  /**
   * The failure handler of every route.
   *
   * @param maxUploadBytes the upload limit, named in the 413 reason
   */
  static void handle(RoutingContext ctx, long maxUploadBytes) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
    if (failure != null && failure.getCause() instanceof ValidatorException v) {
      if (v.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && isBody(v)) {
        send(ctx, 415, unsupportedType(ctx));
      } else {
        send(ctx, 400, reason(v));
      }
      return;
    }
    switch (status) {
      case 413 -> send(ctx, 413, ctx.request().path().equals("/v1/videos")
          && FrontDoor.isMultipart(ctx) ? "the upload is larger than the limit of "
              + (maxUploadBytes / (1024 * 1024)) + " MB (FRAMEWATCH_MAX_UPLOAD_MB)"
          : "the request body is larger than " + FrontDoor.JSON_LIMIT / 1024 + " KiB");
      case 404 -> notFound(ctx);
      case 405 -> send(ctx, 405, "no " + ctx.request().method() + " on " + ctx.request().path());
      case -1, 500 -> {
        LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        send(ctx, 500, "internal error: " + (failure == null ? "unknown" : failure.toString()));
      }
      default -> send(ctx, status, failure == null || failure.getMessage() == null
          ? "HTTP " + status : failure.getMessage());
    }
  }

  /** The 404 of a path no route serves; a route hidden from the caller answers the same. */
  static void notFound(RoutingContext ctx) {
    send(ctx, 404, "no route " + ctx.request().method() + " " + ctx.request().path());
  }

  private static boolean isBody(ValidatorException v) {
    return v.getMessage() != null && v.getMessage().contains("body");
  }

  private static String unsupportedType(RoutingContext ctx) {
    Operation op = ctx.currentRoute() == null ? null
        : ctx.currentRoute().getMetadata(RouterBuilder.KEY_META_DATA_OPERATION);
    String accepted = op == null || op.getRequestBody() == null ? "JSON"
        : String.join(" or ", op.getRequestBody().getContent().keySet());
    String type = ctx.request().getHeader("Content-Type");
    return "a body of type '" + (type == null ? "none" : type) + "' is not accepted here: send "
        + accepted + (accepted.contains("multipart") ? " (the video in a field named 'file')" : "");
  }

  /**
   * The reason of a validation failure, naming the field: "fps: Instance must be ..." for a body
   * property, the router's own message (which names the parameter) otherwise.
   */
  static String reason(ValidatorException v) {
    if (v instanceof SchemaValidationException s && s.getOutputUnit() != null
        && v.getMessage().contains("body")) {
      List<OutputUnit> errors = s.getOutputUnit().getErrors();
      if (errors != null && !errors.isEmpty()) {
        OutputUnit last = errors.get(errors.size() - 1);
        String at = last.getInstanceLocation() == null ? "" : last.getInstanceLocation();
        at = at.startsWith("#") ? at.substring(1) : at; // a JSON pointer, maybe as a fragment
        String field = at.length() > 1 ? at.substring(1).replace('/', '.') : null;
        return (field == null ? "body" : field) + ": " + last.getError();
      }
    }
    return v.getMessage();
  }
}
