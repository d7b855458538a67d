package io.framewatch.sink;

import com.google.protobuf.Message;
import io.framewatch.proto.Alert;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.StreamControl;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.sink.state.VerdictInput;
import io.framewatch.sink.state.VerdictState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds each input into its video's {@link VerdictState} ({@link VerdictAggregator}) and forwards
 * the verdict. Videos still running are kept in a small second store; a wall-clock punctuator
 * looks at them and marks those without progress for the stall timeout STALLED, so nothing waits
 * forever unnoticed. Terminal videos leave that store, so the check costs what is running. A
 * deleted video keeps only a marker here, and nothing is published for it again.
 */
final class VerdictProcessor implements Processor<String, VerdictInput, String, Message> {
  private final long stallTimeoutMs;
  private final Scoring scoring;
  private final AlertPolicy alerts;
  private ProcessorContext<String, Message> ctx;
  private KeyValueStore<String, VerdictState> verdicts;
  private KeyValueStore<String, Long> running;
  private KeyValueStore<String, FrameAnalysis> pending;

  VerdictProcessor(long stallTimeoutMs, Scoring scoring, AlertPolicy alerts) {
    this.stallTimeoutMs = stallTimeoutMs;
    this.scoring = scoring;
    this.alerts = alerts;
  }

  @Override
  public void init(ProcessorContext<String, Message> context) {
    ctx = context;
    verdicts = context.getStateStore(SinkTopology.VERDICT_STORE);
    running = context.getStateStore(SinkTopology.RUNNING_STORE);
    pending = context.getStateStore(SinkTopology.PENDING_STORE);
    long every = Math.max(100, Math.min(5_000, stallTimeoutMs / 4));
    context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::checkStalls);
  }

  @Override
  public void process(Record<String, VerdictInput> r) {
    String id = r.key();
    VerdictState before = verdicts.get(id);
    if (r.value().hasEvent() && r.value().getEvent().hasDeleted()) {
      delete(id, before, r);
      return;
    }
    if (before != null && before.getDeletedMs() > 0) {
      return; // work still in flight for a deleted video must not bring it back
    }
    VerdictAggregator.Step step = VerdictAggregator.step(id, r.value(),
        before == null ? VerdictState.getDefaultInstance() : before, scoring, alerts,
        ctx.currentSystemTimeMs(), this::pendingOf);
    store(id, step.state());
    // the chart's points and the alerts first: a reader that sees the verdict finds them too
    for (TimelinePoint p : step.timeline()) {
      ctx.forward(r.withValue(p));
    }
    for (Alert a : step.alerts()) {
      ctx.forward(r.withValue(a));
    }
    for (EvidenceRequest e : step.evidence()) {
      // a stored upload's evidence is decode's evidence servers' work; a live stream's only the
      // process running it can do, and every decode process reads video.control
      ctx.forward(r.withValue(step.state().getLive() ? StreamControl.newBuilder().setVideoId(id)
          .setAtMs(ctx.currentSystemTimeMs()).setEvidence(e).build() : e));
    }
    ctx.forward(r.withValue(step.state().getVerdict()));
  }

  /**
   * A {@code Deleted} event: the video's state shrinks to a marker, so that frames and events
   * still on their way are dropped instead of starting a new verdict; it leaves the running
   * store; and the event is forwarded, which {@link SinkTopology} turns into the tombstone of its
   * verdict. A repeated deletion keeps the first marker and tombstones again (harmless).
   */
  private void delete(String id, VerdictState before, Record<String, VerdictInput> r) {
    List<String> waiting = new ArrayList<>();
    try (KeyValueIterator<String, FrameAnalysis> it = pending.range(id + '\u0000', id + '\u0001')) {
      it.forEachRemaining(kv -> waiting.add(kv.key));
    }
    waiting.forEach(pending::delete);
    if (before == null || before.getDeletedMs() == 0) {
      verdicts.put(id, VerdictState.newBuilder().setDeletedMs(ctx.currentSystemTimeMs()).build());
    }
    running.delete(id);
    ctx.forward(r.withValue(r.value().getEvent()));
  }

  /**
   * A video's analyses waiting to be linked, in the pending store under
   * {@code videoId NUL sample-index} (19 digits, so that the store's byte order is sample order);
   * the state counts them.
   */
  private FaceTracker.Pending pendingOf(String id, VerdictState.Builder s) {
    return new FaceTracker.Pending() {
      /** The lowest waiting analysis as last read, so that removing it reads nothing again. */
      private FrameAnalysis head;

      @Override
      public void put(FrameAnalysis f) {
        String key = key(id, f.getSampleIndex());
        if (pending.get(key) == null) {
          s.setStoredPending(s.getStoredPending() + 1);
        }
        pending.put(key, f);
        head = null;
      }

      @Override
      public FrameAnalysis first() {
        if (head == null && s.getStoredPending() > 0) {
          try (KeyValueIterator<String, FrameAnalysis> it =
              pending.range(id + '\u0000', id + '\u0001')) {
            head = it.hasNext() ? it.next().value : null;
          }
        }
        return head;
      }

      @Override
      public void removeFirst() {
        FrameAnalysis f = first();
        if (f != null) {
          pending.delete(key(id, f.getSampleIndex()));
          s.setStoredPending(s.getStoredPending() - 1);
          head = null;
        }
      }

      @Override
      public long size() {
        return s.getStoredPending();
      }

      @Override
      public boolean stored() {
        return true;
      }
    };
  }

  private static String key(String id, long sample) {
    return id + '\u0000' + String.format(java.util.Locale.ROOT, "%019d", sample);
  }

  private void store(String id, VerdictState s) {
    verdicts.put(id, s);
    VerdictStatus st = s.getVerdict().getStatus();
    if (st == VerdictStatus.FINAL || st == VerdictStatus.FAILED) {
      running.delete(id);
    } else {
      running.put(id, s.getVerdict().getUpdatedMs());
    }
  }

  private void checkStalls(long now) {
    List<KeyValue<String, Long>> quiet = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = running.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (now - kv.value >= stallTimeoutMs) {
          quiet.add(kv);
        }
      }
    }
    for (KeyValue<String, Long> kv : quiet) {
      VerdictState s = verdicts.get(kv.key);
      if (s == null) {
        running.delete(kv.key);
        continue;
      }
      VerdictState after = VerdictAggregator.checkStall(s, now, stallTimeoutMs);
      if (after != s) {
        store(kv.key, after);
        ctx.forward(new Record<>(kv.key, (Message) after.getVerdict(), now));
      }
    }
  }
}
