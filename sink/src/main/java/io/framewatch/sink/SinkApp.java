package io.framewatch.sink;

import io.framewatch.topic.Topics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sink stage: runs {@link SinkTopology} on Kafka Streams. */
public final class SinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkApp.class);

  private final KafkaStreams streams;

  private SinkApp(KafkaStreams streams) {
    this.streams = streams;
  }

  /** Starts the streams application; it runs until {@link #close()}. */
  public static SinkApp start(SinkConfig cfg) {
    KafkaStreams streams = new KafkaStreams(SinkTopology.build(), properties(cfg));
    streams.setStateListener((now, before) -> LOG.info("sink: {} -> {}", before, now));
    streams.start();
    return new SinkApp(streams);
  }

  static Properties properties(SinkConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka().admin());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, cfg.applicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, cfg.stateDir().toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, cfg.commitIntervalMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, cfg.threads());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Undecodable records go to the dead-letter topic with the cause instead of stopping the sink.
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class);
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name());
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    return p;
  }

  /** The running streams instance, for state checks. */
  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
