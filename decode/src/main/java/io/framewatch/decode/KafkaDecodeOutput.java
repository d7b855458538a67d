package io.framewatch.decode;

import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.VideoEvent;
import io.framewatch.topic.Topics;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

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
    producer.send(new ProducerRecord<>(Topics.VIDEO_EVENTS.name(),
        Topics.VIDEO_EVENTS.keySerde().serializer().serialize(null, event.getVideoId()),
        event.toByteArray()), onAck);
  }

  @Override
  public void frame(FrameRecord frame) {
    // Keyed per frame so one long video spreads over every detect worker.
    producer.send(new ProducerRecord<>(Topics.FRAMES_DETECT.name(),
        Topics.FRAMES_DETECT.keySerde().serializer()
            .serialize(null, Topics.frameKey(frame.getVideoId(), frame.getSampleIndex())),
        frame.toByteArray()), onAck);
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
