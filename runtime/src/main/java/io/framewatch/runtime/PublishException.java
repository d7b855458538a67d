package io.framewatch.runtime;

/** Results of a record could not be published, even after retries. */
public final class PublishException extends Exception {
  /**
   * @param message what could not be published, and why
   * @param cause the producer's last error
   */
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
