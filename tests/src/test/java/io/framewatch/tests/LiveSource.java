package io.framewatch.tests;

import io.framewatch.decode.FfmpegCli;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.KafkaSettings;
import io.framewatch.topic.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A live source for tests: the bundled ffmpeg serving a real clip as MPEG-TS over loopback HTTP
 * in real time, looped, one client at a time, restarted whenever it exits (so a decode process
 * that takes the stream over can connect again); plus reading a video's events back.
 */
public final class LiveSource implements AutoCloseable {
  private final AtomicBoolean serving = new AtomicBoolean(true);
  private final AtomicReference<Process> current = new AtomicReference<>();
  private final String url;

  /** Starts serving {@code clip}. */
  public LiveSource(Path clip) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    url = "http://127.0.0.1:" + port + "/live.ts";
    Thread t = new Thread(() -> {
      while (serving.get()) {
        try {
          Process p = new ProcessBuilder(FfmpegCli.path(), "-hide_banner", "-nostdin",
              "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip.toString(), "-an",
              "-c:v", "copy", "-f", "mpegts", "-listen", "1", url)
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          current.set(p);
          p.waitFor();
        } catch (Exception e) {
          return;
        }
      }
    }, "it-live-source");
    t.setDaemon(true);
    t.start();
  }

  /** The stream's URL. */
  public String url() {
    return url;
  }

  /** Every event of {@code videoId} on {@code video.events} so far, in order. */
  public static List<VideoEvent> events(KafkaSettings kafka, String videoId) {
    List<VideoEvent> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(
        "it-events-" + UUID.randomUUID(), "it-events", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.VIDEO_EVENTS.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          VideoEvent e;
          try {
            e = Topics.VIDEO_EVENTS.value(r.value());
          } catch (SerializationException junk) {
            continue; // another test's junk, which the sink dead-letters
          }
          if (e != null && e.getVideoId().equals(videoId)) {
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  /** The worker that opened the stream last (its latest Probe). */
  public static String owner(KafkaSettings kafka, String videoId) {
    List<VideoEvent> probes = events(kafka, videoId).stream().filter(VideoEvent::hasProbe)
        .toList();
    return probes.get(probes.size() - 1).getWorker();
  }

  /** The RESUMED event of a takeover from {@code previous}. */
  public static Optional<VideoEvent> resumed(KafkaSettings kafka, String videoId,
      String previous) {
    return events(kafka, videoId).stream().filter(VideoEvent::hasStream)
        .filter(e -> e.getStream().getKind() == StreamEvent.Kind.RESUMED
            && e.getStream().getPreviousWorker().equals(previous)).findFirst();
  }

  @Override
  public void close() {
    serving.set(false);
    Process p = current.get();
    if (p != null) {
      p.destroyForcibly();
    }
  }
}
