package io.framewatch.ingest;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatableRequest;
import java.util.Map;
import java.util.UUID;

/**
 * Hands the OpenAPI validator what the body handler read. A JSON body is validated as is. A
 * multipart upload is not in memory (its file was streamed to disk, and the validator would
 * parse the whole body as text), so the validator gets a small multipart body of its own instead:
 * the form's fields as they came, and each file as a part of a few bytes (its name). The
 * document's schema of the form thus checks the fields' types and ranges and that a
 * {@code file} part is there, without the video passing through memory.
 */
final class FormExtractor implements RequestExtractor {
  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation op) {
    if (!FrontDoor.isMultipart(ctx) || op.getRequestBody() == null) {
      return RequestUtils.extract(ctx.request(), op,
          () -> Future.succeededFuture(ctx.body().buffer()));
    }
    String boundary = "fw-form-" + UUID.randomUUID();
    Buffer form = formView(ctx, boundary);
    return RequestUtils.extract(ctx.request(), op, () -> Future.succeededFuture(form))
        .map(r -> new WithContentType(r, "multipart/form-data; boundary=" + boundary));
  }

  /** The form's fields and its files' names as a multipart body with {@code boundary}. */
  static Buffer formView(RoutingContext ctx, String boundary) {
    StringBuilder b = new StringBuilder();
    ctx.request().formAttributes().forEach((name, value) -> part(b, boundary, name, null, value));
    for (FileUpload f : ctx.fileUploads()) {
      part(b, boundary, f.name(), "application/octet-stream",
          f.fileName().isBlank() ? "upload" : f.fileName().replaceAll("[\r\n]", " "));
    }
    return Buffer.buffer(b.append("--").append(boundary).append("--\r\n").toString());
  }

  private static void part(StringBuilder b, String boundary, String name, String type,
      String value) {
    b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
        .append(name.replaceAll("[\"\r\n]", "_")).append("\"\r\n");
    if (type != null) {
      b.append("Content-Type: ").append(type).append("\r\n");
    }
    b.append("\r\n").append(value).append("\r\n");
  }

  /** The extracted request, with the content type of the form view rather than the upload's. */
  private record WithContentType(ValidatableRequest r, String contentType)
      implements ValidatableRequest {
    @Override
    public Map<String, RequestParameter> getCookies() {
      return r.getCookies();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return r.getHeaders();
    }

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return r.getPathParameters();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return r.getQuery();
    }

    @Override
    public RequestParameter getBody() {
      return r.getBody();
    }

    @Override
    public String getContentType() {
      return contentType;
    }
  }
}
