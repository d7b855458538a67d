package io.framewatch.decode;

/**
 * The source's host is one the outbound guard refuses: the job fails at once with this reason,
 * without the retries a source that cannot be reached gets.
 */
final class SourceRefusedException extends DecodeException {
  private static final long serialVersionUID = 1L;

  SourceRefusedException(String message) {
    super(message);
  }
}
