package io.framewatch.topic;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * The public JSON of the messages the API and webhooks hand out as they are (alerts, timeline
 * points): protobuf's canonical JSON mapping of framewatch.proto — lowerCamelCase field names,
 * enums by name, 64-bit integers as strings, default values included so every field is present.
 */
public final class ProtoJson {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  private ProtoJson() {}

  /** {@code m} as one line of JSON. */
  public static String print(MessageOrBuilder m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not printable as JSON: " + e.getMessage(), e);
    }
  }
}
