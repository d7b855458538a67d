package io.framewatch.decode;

/** A video cannot be decoded; the message is the reason given to the user. */
public class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param reason what is wrong with the input */
  public DecodeException(String reason) {
    super(reason);
  }

  /**
   * @param reason what is wrong with the input
   * @param cause the FFmpeg error
   */
  public DecodeException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
