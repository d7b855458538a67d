package io.framewatch.ingest;

import io.framewatch.proto.Verdict;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Every ingest instance's read view of the {@code verdicts} topic: a global, in-memory Kafka
 * Streams store that answers {@code GET /v1/videos/{id}} locally, however many sink and ingest
 * instances run.
 */
public final class VerdictView implements AutoCloseable {
  static final String STORE = "verdicts-view";

  private final KafkaStreams streams;
  private final Path stateDir;

  private VerdictView(KafkaStreams streams, Path stateDir) {
    this.streams = streams;
    this.stateDir = stateDir;
  }

  /** Starts following the verdicts topic. */
  public static VerdictView start(KafkaSettings kafka) {
    StreamsBuilder b = new StreamsBuilder();
    b.globalTable(Topics.VERDICTS.name(),
        Consumed.with(Topics.VERDICTS.keySerde(), Topics.VERDICTS.valueSerde()),
        Materialized.<String, Verdict>as(Stores.inMemoryKeyValueStore(STORE))
            .withKeySerde(Topics.VERDICTS.keySerde())
            .withValueSerde(Topics.VERDICTS.valueSerde()));
    Path dir;
    try {
      dir = Files.createTempDirectory("framewatch-ingest-view");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create a state directory: " + e.getMessage(), e);
    }
    Properties p = new Properties();
    p.putAll(kafka.admin());
    // A global table uses no consumer group; a unique id keeps instances' local state apart.
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "framewatch-ingest-view-" + UUID.randomUUID());
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    streams.start();
    return new VerdictView(streams, dir);
  }

  /**
   * The latest verdict of a video.
   *
   * @throws IllegalStateException when the view is still loading
   */
  public Optional<Verdict> get(String videoId) {
    try {
      ReadOnlyKeyValueStore<String, Verdict> store = streams.store(
          StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
      return Optional.ofNullable(store.get(videoId));
    } catch (InvalidStateStoreException e) {
      throw new IllegalStateException("verdict view is not ready yet", e);
    }
  }

  /** The view's Kafka Streams state (RUNNING once loaded and following). */
  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(10));
    streams.cleanUp();
    try (var files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
