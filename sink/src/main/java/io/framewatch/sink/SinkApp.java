package io.framewatch.sink;

import io.framewatch.runtime.Health;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.runtime.Stage;
import io.framewatch.runtime.StageContext;
import io.framewatch.topic.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink stage: runs {@link SinkTopology} on Kafka Streams. A stream thread that dies of an
 * error takes the instance to ERROR: the stage is then no longer live.
 */
public final class SinkApp implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(SinkApp.class);

  private final SinkConfig cfg;
  private final StageContext ctx;
  private volatile KafkaStreams streams;
  private volatile KafkaStreamsMetrics metrics;

  /**
   * @param cfg stage settings
   * @param ctx the process's meters and worker-death policy
   */
  public SinkApp(SinkConfig cfg, StageContext ctx) {
    this.cfg = cfg;
    this.ctx = ctx;
  }

  @Override
  public String name() {
    return "sink";
  }

  /** Starts the streams application; it runs until {@link #close()}. */
  @Override
  public void start() {
    KafkaStreams s = new KafkaStreams(SinkTopology.build(cfg.stallTimeoutMs(), cfg.scoring(),
        cfg.alerts()), properties(cfg));
    s.setStateListener((now, before) -> {
      LOG.info("sink: {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR) {
        ctx.onWorkerDeath().run();
      }
    });
    metrics = new KafkaStreamsMetrics(s);
    metrics.bindTo(ctx.meters());
    s.start();
    streams = s;
  }

  @Override
  public Health health() {
    KafkaStreams s = streams;
    if (s == null) {
      return new Health(true, false, Map.of("sink", "starting"));
    }
    KafkaStreams.State st = s.state();
    boolean live = st != KafkaStreams.State.ERROR && st != KafkaStreams.State.PENDING_ERROR;
    return new Health(live, st == KafkaStreams.State.RUNNING,
        Map.of("sink-streams", st.name().toLowerCase(Locale.ROOT)));
  }

  static Properties properties(SinkConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka().admin());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, cfg.applicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, cfg.stateDir().toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, cfg.commitIntervalMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, cfg.threads());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        KafkaSettings.SESSION_TIMEOUT_MS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
        KafkaSettings.SESSION_TIMEOUT_MS / 3);
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
    if (metrics != null) {
      metrics.close();
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
  }
}
