package io.framewatch.sink;

import io.framewatch.sink.state.VerdictInput;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.topic.ProtoSerde;
import io.framewatch.topic.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The sink's topology: {@code video.events} and {@code detections} (both keyed by video id and
 * co-partitioned) are merged and folded by {@link VerdictAggregator} into the
 * {@value #VERDICT_STORE} store, whose every change is published to {@code verdicts}.
 */
public final class SinkTopology {
  /** Name of the state store holding one {@link VerdictState} per video. */
  public static final String VERDICT_STORE = "verdict-store";

  private SinkTopology() {}

  /** Builds the topology. */
  public static Topology build() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, VerdictInput> events = b
        .stream(Topics.VIDEO_EVENTS.name(),
            Consumed.with(Topics.VIDEO_EVENTS.keySerde(), Topics.VIDEO_EVENTS.valueSerde()))
        .processValues(() -> new Stamp<>((e, b2) -> b2.setEvent(e)));
    KStream<String, VerdictInput> frames = b
        .stream(Topics.DETECTIONS.name(),
            Consumed.with(Topics.DETECTIONS.keySerde(), Topics.DETECTIONS.valueSerde()))
        .processValues(() -> new Stamp<>((f, b2) -> b2.setFrame(f)));
    ProtoSerde<VerdictState> stateSerde = new ProtoSerde<>(VerdictState.parser(), VerdictState.class);
    events.merge(frames)
        .filter((videoId, in) -> videoId != null && !videoId.isEmpty())
        .groupByKey(Grouped.with(Serdes.String(),
            new ProtoSerde<>(VerdictInput.parser(), VerdictInput.class)))
        .aggregate(VerdictState::getDefaultInstance, VerdictAggregator::apply,
            Materialized.<String, VerdictState, KeyValueStore<Bytes, byte[]>>as(VERDICT_STORE)
                .withKeySerde(Serdes.String()).withValueSerde(stateSerde))
        .toStream()
        .mapValues(VerdictState::getVerdict)
        .to(Topics.VERDICTS.name(),
            Produced.with(Topics.VERDICTS.keySerde(), Topics.VERDICTS.valueSerde()));
    return b.build();
  }

  /** Wraps a value into a {@link VerdictInput} stamped with its record's timestamp. */
  private static final class Stamp<V> implements FixedKeyProcessor<String, V, VerdictInput> {
    private final java.util.function.BiConsumer<V, VerdictInput.Builder> set;
    private FixedKeyProcessorContext<String, VerdictInput> ctx;

    Stamp(java.util.function.BiConsumer<V, VerdictInput.Builder> set) {
      this.set = set;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, VerdictInput> context) {
      this.ctx = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> r) {
      if (r.value() == null) {
        return;
      }
      VerdictInput.Builder in = VerdictInput.newBuilder().setAtMs(r.timestamp());
      set.accept(r.value(), in);
      ctx.forward(r.withValue(in.build()));
    }
  }
}
