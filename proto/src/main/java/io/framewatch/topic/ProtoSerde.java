package io.framewatch.topic;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one protobuf message type. Null maps to null (tombstones pass through);
 * bytes that do not parse raise {@link SerializationException} naming the type.
 *
 * @param <T> the message type
 */
public final class ProtoSerde<T extends MessageLite> implements Serde<T> {
  private final Parser<T> parser;
  private final String typeName;

  /**
   * @param parser the generated {@code parser()} of the message type
   * @param type the message class, used in error messages
   */
  public ProtoSerde(Parser<T> parser, Class<T> type) {
    this.parser = parser;
    this.typeName = type.getSimpleName();
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : value.toByteArray();
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return parser.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new SerializationException(
            "record on " + topic + " is not a valid " + typeName + ": " + e.getMessage(), e);
      }
    };
  }
}
