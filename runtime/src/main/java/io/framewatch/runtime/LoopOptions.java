package io.framewatch.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * What a {@link ConsumerLoop} needs beyond its handler.
 *
 * @param stage stage name (logs, dead-letter headers, metric tags)
 * @param clientId Kafka client id of this worker
 * @param consumerProps consumer settings (group, sizes); deserializers are set here
 * @param producerProps producer settings; serializers are set here
 * @param policy what happens to a record the handler rejects
 * @param parallelism 0 to handle records on the polling thread, else pool threads
 * @param queue records accepted beyond {@code parallelism} before pausing (pooled only)
 * @param retry resend policy for failed sends
 * @param meters where the loop's metrics go
 * @param commitMetadata metadata committed with a partition's offset (e.g. the state of the
 *     live streams in flight there); null for none
 */
public record LoopOptions(String stage, String clientId, Map<String, Object> consumerProps,
    Map<String, Object> producerProps, FailurePolicy policy, int parallelism, int queue,
    Retry retry, MeterRegistry meters, Function<TopicPartition, String> commitMetadata) {
  /** Records handled on the polling thread, dead letters for bad ones, default retries. */
  public static LoopOptions inline(String stage, String clientId, Map<String, Object> consumerProps,
      Map<String, Object> producerProps, MeterRegistry meters) {
    return new LoopOptions(stage, clientId, consumerProps, producerProps,
        FailurePolicy.DEAD_LETTER, 0, 0, Retry.DEFAULT, meters, null);
  }

  /** Validates the options. */
  public LoopOptions {
    Objects.requireNonNull(stage);
    Objects.requireNonNull(policy);
    Objects.requireNonNull(retry);
    Objects.requireNonNull(meters);
    if (parallelism < 0 || queue < 0) {
      throw new IllegalArgumentException("parallelism and queue must be >= 0");
    }
  }
}

