package io.framewatch.sink;

import com.google.protobuf.Message;
import io.framewatch.proto.Alert;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VideoEvent;
import io.framewatch.sink.state.VerdictInput;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.topic.ProtoSerde;
import io.framewatch.topic.Topic;
import io.framewatch.topic.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * The sink's topology: {@code video.events} and {@code detections} (both keyed by video id and
 * co-partitioned) are merged and folded by {@link VerdictProcessor} into the {@value #VERDICT_STORE}
 * store, whose every change is published to {@code verdicts}, with each face the tracker links on
 * {@code video.timeline} and each alert transition on {@code alerts}; videos that stop moving
 * become STALLED after the stall timeout. A {@code Deleted} event removes the video's state and
 * tombstones its verdict. An upload that turns FINAL asks decode for its tracks' evidence on
 * {@code evidence.requests} ({@link Evidence}).
 */
public final class SinkTopology {
  /** Name of the state store holding one {@link VerdictState} per video. */
  public static final String VERDICT_STORE = "verdict-store";
  /** Videos still running, with the time of their last progress (what the stall check scans). */
  static final String RUNNING_STORE = "running-videos";
  /** Analyses waiting to be linked into tracks in sample order ({@link FaceTracker.Pending}). */
  static final String PENDING_STORE = "pending-analyses";

  private SinkTopology() {}

  /**
   * Builds the topology.
   *
   * @param stallTimeoutMs a running video without progress this long becomes STALLED
   * @param scoring face tracking and the decision score's policy
   * @param alerts when alerts are raised and cleared
   */
  public static Topology build(long stallTimeoutMs, Scoring scoring, AlertPolicy alerts) {
    StreamsBuilder b = new StreamsBuilder();
    ProtoSerde<VerdictState> stateSerde = new ProtoSerde<>(VerdictState.parser(), VerdictState.class);
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VERDICT_STORE),
        Serdes.String(), stateSerde));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUNNING_STORE),
        Serdes.String(), Serdes.Long()));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
        Serdes.String(), new ProtoSerde<>(FrameAnalysis.parser(), FrameAnalysis.class)));
    KStream<String, VerdictInput> events = b
        .stream(Topics.VIDEO_EVENTS.name(),
            Consumed.with(Topics.VIDEO_EVENTS.keySerde(), Topics.VIDEO_EVENTS.valueSerde()))
        .processValues(() -> new Stamp<>((e, b2) -> b2.setEvent(e)));
    KStream<String, VerdictInput> frames = b
        .stream(Topics.DETECTIONS.name(),
            Consumed.with(Topics.DETECTIONS.keySerde(), Topics.DETECTIONS.valueSerde()))
        .processValues(() -> new Stamp<>((f, b2) -> b2.setFrame(f)));
    KStream<String, Message> out = events.merge(frames)
        .filter((videoId, in) -> videoId != null && !videoId.isEmpty())
        .process(() -> new VerdictProcessor(stallTimeoutMs, scoring, alerts), VERDICT_STORE,
            RUNNING_STORE, PENDING_STORE);
    to(out, Topics.VIDEO_TIMELINE, TimelinePoint.class);
    to(out, Topics.ALERTS, Alert.class);
    to(out, Topics.EVIDENCE_REQUESTS, EvidenceRequest.class);
    to(out, Topics.VIDEO_CONTROL, StreamControl.class);
    // a Deleted event leaves the processor as itself: the verdict's tombstone, on the same
    // sink node as the verdicts so that it follows them in order
    out.filter((k, v) -> v instanceof Verdict || v instanceof VideoEvent)
        .mapValues(v -> v instanceof Verdict verdict ? verdict : null)
        .to(Topics.VERDICTS.name(),
            Produced.with(Topics.VERDICTS.keySerde(), Topics.VERDICTS.valueSerde()));
    return b.build();
  }

  /** The outputs of type {@code type} to {@code topic}. */
  private static <V extends Message> void to(KStream<String, Message> out, Topic<String, V> topic,
      Class<V> type) {
    out.filter((k, v) -> type.isInstance(v)).mapValues(type::cast)
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()));
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
