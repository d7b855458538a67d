package io.framewatch.ingest;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.Locale;
import java.util.Set;

/**
 * The first handler of every request, before its body is read: finds the request's operation in
 * the OpenAPI document, asks for an API key when the operation is secured there (so an
 * unauthenticated client cannot make the API store anything), then reads the body of operations
 * that take one: a multipart upload streamed to the media store's {@code incoming/} up to the
 * upload limit, anything else into memory up to {@value #JSON_LIMIT} bytes. Requests the document
 * does not know (the dashboard's files) pass untouched.
 */
final class FrontDoor implements Handler<RoutingContext> {
  /** The largest body other than an upload. */
  static final int JSON_LIMIT = 64 * 1024;

  private final OpenAPIContract contract;
  private final Set<String> secured;
  private final ApiKeyAuth auth;
  private final BodyHandler uploads;
  private final BodyHandler small = BodyHandler.create(false).setBodyLimit(JSON_LIMIT);

  /** @param secured the operations that need a key ({@link ApiRouter#secured}) */
  FrontDoor(OpenAPIContract contract, Set<String> secured, ApiKeyAuth auth, MediaStore media,
      long maxUploadBytes) {
    this.contract = contract;
    this.secured = Set.copyOf(secured);
    this.auth = auth;
    this.uploads = BodyHandler.create(media.incoming().toString()).setBodyLimit(maxUploadBytes)
        .setDeleteUploadedFilesOnEnd(true);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Operation op = contract.findOperation(ctx.request().path(), ctx.request().method());
    if (op == null) {
      ctx.next();
      return;
    }
    if (secured.contains(op.getOperationId()) && !auth.require(ctx)) {
      return;
    }
    if (op.getRequestBody() == null) {
      ctx.next();
    } else if (isMultipart(ctx) && op.getRequestBody().getContent().containsKey(MULTIPART)) {
      uploads.handle(ctx);
    } else {
      small.handle(ctx);
    }
  }

  private static final String MULTIPART = "multipart/form-data";

  static boolean isMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith(MULTIPART);
  }
}
