package io.framewatch.inference;

/** A model could not be loaded or run; the message names the model and what went wrong. */
public class InferenceException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the model */
  public InferenceException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the model
   * @param cause the vendor exception
   */
  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
