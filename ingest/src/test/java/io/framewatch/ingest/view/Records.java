package io.framewatch.ingest.view;

import com.google.protobuf.MessageLite;
import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.topic.Topic;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Records as the view's reader hands them over, for feeding a detached view. */
public final class Records {
  /** The tenant the {@link #verdict verdicts} belong to. */
  public static final String TENANT = "acme";

  private Records() {}

  /** A record of {@code topic} at partition/offset with key and value (null: a tombstone). */
  public static ConsumerRecord<byte[], byte[]> record(Topic<String, ?> topic, int partition,
      long offset, String key, MessageLite m) {
    return new ConsumerRecord<>(topic.name(), partition, offset,
        key.getBytes(StandardCharsets.UTF_8), m == null ? null : m.toByteArray());
  }

  /** A verdict of {@code id} in {@code status}, updated at {@code updatedMs}, of {@link #TENANT}. */
  public static Verdict verdict(String id, VerdictStatus status, long updatedMs) {
    return verdict(id, status, updatedMs, TENANT);
  }

  /** A verdict of {@code tenant}'s video {@code id}. */
  public static Verdict verdict(String id, VerdictStatus status, long updatedMs, String tenant) {
    return Verdict.newBuilder().setVideoId(id).setStatus(status).setFileName(id + ".mp4")
        .setFirstEventMs(updatedMs - 1000).setUpdatedMs(updatedMs).setTenant(tenant).build();
  }

  /** The {@code sequence}-th transition of alert {@code id}#n. */
  public static Alert alert(String videoId, int n, int sequence, AlertTransition t, long atMs) {
    return Alert.newBuilder().setVideoId(videoId).setAlertId(videoId + "#" + n)
        .setSequence(sequence).setTransition(t).setAtMs(atMs).setSource("live").setScore(0.9)
        .addTrackIds(1).setReason("track 1: mean P(fake) 0.90 over 10 s >= 0.74").build();
  }

  /** A timeline point; {@code pFake} null when no classifier judged the face. */
  public static TimelinePoint point(String videoId, int track, long sample, Float pFake) {
    TimelinePoint.Builder b = TimelinePoint.newBuilder().setVideoId(videoId).setTrackId(track)
        .setSampleIndex(sample).setPtsUs(sample * 500_000).setModel("caddm-demo");
    if (pFake != null) {
      b.setPFake(pFake);
    }
    return b.build();
  }
}
