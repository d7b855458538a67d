package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.decode.DecodeApp;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.decode.FfmpegCli;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.StageContext;
import io.framewatch.topic.Topics;
import io.vertx.core.json.JsonObject;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A live stream survives the loss of the decode process that runs it: with two decode stages in
 * one group, the one running the stream stops (what SIGTERM or a rolling restart does); the other
 * takes the uncommitted job over, reconnects, reports RESUMED with the gap, continues the sample
 * indices from the wall clock, and the verdict accounts for every sample before and after.
 */
class LiveFailoverIT extends StackTestBase {
  static DecodeApp second;

  @BeforeAll
  static void startSecondDecode() throws Exception {
    second = new DecodeApp(DecodeConfig.fromEnv(Map.of(), kafka.settings()),
        StageContext.local());
    second.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> second.health().ready()
        && stack.stages().stream().allMatch(s -> s.health().ready()));
  }

  @AfterAll
  static void stopSecondDecode() {
    if (second != null) {
      second.close();
    }
  }

  /** The bundled ffmpeg serving one client at a time, restarted whenever it exits. */
  private static Thread serveForever(Path clip, int port, AtomicBoolean running,
      AtomicReference<Process> current) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        try {
          Process p = new ProcessBuilder(FfmpegCli.path(), "-hide_banner", "-nostdin",
              "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip.toString(), "-an",
              "-c:v", "copy", "-f", "mpegts", "-listen", "1",
              "http://127.0.0.1:" + port + "/live.ts")
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
    return t;
  }

  private static List<VideoEvent> events(String videoId) {
    List<VideoEvent> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.settings().consumer(
        "it-events-" + UUID.randomUUID(), "it-events", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.VIDEO_EVENTS.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          VideoEvent e = Topics.VIDEO_EVENTS.value(r.value());
          if (e.getVideoId().equals(videoId)) {
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  /** The RESUMED event of a takeover from {@code previous}. */
  private static Optional<VideoEvent> resumed(String videoId, String previous) {
    return events(videoId).stream().filter(VideoEvent::hasStream)
        .filter(e -> e.getStream().getKind() == StreamEvent.Kind.RESUMED
            && e.getStream().getPreviousWorker().equals(previous)).findFirst();
  }

  @Test
  void shouldResumeALiveStreamOnTheOtherDecodeProcessAndAccountForEverySample()
      throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AtomicBoolean serving = new AtomicBoolean(true);
    AtomicReference<Process> source = new AtomicReference<>();
    serveForever(clip, port, serving, source);
    try {
      String id = api.startStream("http://127.0.0.1:" + port + "/live.ts");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id).getLong("framesAnalyzed", 0L) >= 8);
      List<VideoEvent> probes = events(id).stream().filter(VideoEvent::hasProbe).toList();
      String owner = probes.get(probes.size() - 1).getWorker();
      DecodeApp first = stack.stages().stream().filter(DecodeApp.class::isInstance)
          .map(DecodeApp.class::cast).findFirst().orElseThrow();
      DecodeApp running = owner.equals(first.workerName()) ? first : second;
      DecodeApp survivor = running == first ? second : first;
      assertEquals(owner, running.workerName());
      long before = api.status(id).getLong("framesAnalyzed");
      running.close();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> resumed(id, owner).isPresent());
      VideoEvent resumedBy = resumed(id, owner).orElseThrow();
      StreamEvent r = resumedBy.getStream();
      assertTrue(r.getGapMs() > 0, "the gap is reported: " + r);
      assertEquals(survivor.workerName(), resumedBy.getWorker());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id).getLong("framesAnalyzed", 0L) >= before + 6);
      api.stopStream(id);
      JsonObject v = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id), s -> List.of("FINAL", "FAILED").contains(s.getString("status")));
      assertEquals("FINAL", v.getString("status"), v.encodePrettily());
      assertEquals(v.getLong("framesExpected"), v.getLong("framesAnalyzed"), v.encodePrettily());
      assertTrue(v.getLong("framesAnalyzed") >= before + 6, v.encodePrettily());
      System.out.printf("live failover: %d samples before the stop of %s, %d in all; RESUMED on"
          + " %s after a %d ms gap%n", before, owner, v.getLong("framesAnalyzed"),
          survivor.workerName(), r.getGapMs());
    } finally {
      serving.set(false);
      Process p = source.get();
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
