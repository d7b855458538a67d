package io.framewatch.decode;

import io.framewatch.proto.Burst;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import io.framewatch.topic.Topics;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;

/** Publishes a decode job's frames to {@code frames.detect} and its events to {@code video.events}. */
final class KafkaDecodeOutput implements DecodeOutput {
  private final Producer<byte[], byte[]> producer;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Callback onAck = (meta, e) -> {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  };

  KafkaDecodeOutput(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  @Override
  public void event(VideoEvent event) {
    producer.send(Topics.VIDEO_EVENTS.record(event.getVideoId(), event), onAck);
  }

  @Override
  public void frame(FrameRecord frame) {
    // Keyed per frame so one long video spreads over every detect worker.
    producer.send(Topics.FRAMES_DETECT.record(
        Topics.frameKey(frame.getVideoId(), frame.getSampleIndex()), frame), onAck);
  }

  @Override
  public void burst(Burst burst) {
    producer.send(Topics.FRAMES_ENHANCE.record(
        Topics.frameKey(burst.getVideoId(), burst.getBurstIndex()), burst), onAck);
  }

  @Override
  public void flush() throws Exception {
    producer.flush();
    Exception e = failure.getAndSet(null);
    if (e != null) {
      throw e;
    }
  }
}
