package io.framewatch.decode;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.proto.VideoJob;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A live MPEG-TS stream served over HTTP on loopback by the bundled ffmpeg (-re: real time),
 * killed mid-stream and restarted: the decoder reports the drop, reconnects, resumes, and ends
 * cleanly when stopped.
 */
class LiveStreamTest {

  private static Process serve(Path clip, int port) throws Exception {
    return new ProcessBuilder(TestMedia.ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-re", "-stream_loop", "-1", "-i", clip.toString(), "-an", "-c:v", "copy",
        "-f", "mpegts", "-listen", "1", "http://127.0.0.1:" + port + "/live.ts")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static long count(VideoDecoderTest.Collect out, StreamEvent.Kind kind) {
    synchronized (out) {
      return out.events.stream().filter(VideoEvent::hasStream)
          .filter(e -> e.getStream().getKind() == kind).count();
    }
  }

  private static int frames(VideoDecoderTest.Collect out) {
    synchronized (out) {
      return out.frames.size();
    }
  }

  @Test
  void shouldReconnectAfterTheSourceDiesAndEndCleanlyWhenStopped() throws Exception {
    Path clip = TestMedia.clip(SampleMedia.CAP12_MP4);
    int port = freePort();
    Process source = serve(clip, port);
    VideoDecoderTest.Collect out = new VideoDecoderTest.Collect();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    VideoJob job = VideoJob.newBuilder().setVideoId("live").setLive(true)
        .setSourceUri("http://127.0.0.1:" + port + "/live.ts").build();
    Thread worker = new Thread(() -> {
      try {
        new VideoDecoder(VideoDecoderTest.config(8192L * 8192), "test")
            .decode(job, out, new JobControl() {
              @Override
              public boolean stopRequested() {
                return stop.get();
              }

              @Override
              public boolean cancelled() {
                return false;
              }
            });
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    worker.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> frames(out) >= 4);
      source.destroyForcibly();
      source.waitFor();
      int before = frames(out);
      await().atMost(Duration.ofSeconds(30)).until(() -> count(out, StreamEvent.Kind.DROPPED) >= 1);
      source = serve(clip, port);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> count(out, StreamEvent.Kind.RECONNECTED) >= 1 && frames(out) >= before + 4);
      stop.set(true);
      worker.join(30_000);
    } finally {
      stop.set(true);
      source.destroyForcibly();
    }
    assertTrue(failed.get() == null, String.valueOf(failed.get()));
    VideoEvent last = out.last();
    assertTrue(last.hasEnd(), "ends with end-of-video: " + last);
    assertEquals(out.frames.size(), last.getEnd().getSamplesExpected());
    assertEquals(1, count(out, StreamEvent.Kind.STOPPED));
    List<Long> gaps = new ArrayList<>();
    out.events.stream().filter(VideoEvent::hasStream)
        .filter(e -> e.getStream().getKind() == StreamEvent.Kind.RECONNECTED)
        .forEach(e -> gaps.add(e.getStream().getGapMs()));
    assertTrue(gaps.get(0) > 0, "the reconnect reports the gap: " + gaps);
    long previous = -1;
    long previousIndex = -1;
    java.util.Set<Long> sent = new java.util.TreeSet<>();
    for (FrameRecord f : out.frames) {
      // a live sample's index is its half-second slot of wall-clock time since submission, so
      // another worker taking the stream over would continue it without reuse
      assertEquals(f.getPtsUs() * 2 / 1_000_000, f.getSampleIndex(), "index is the time slot");
      assertTrue(f.getSampleIndex() > previousIndex, "indices only grow across the reconnect");
      assertTrue(f.getPtsUs() > previous, "wall-clock timestamps only grow");
      previous = f.getPtsUs();
      previousIndex = f.getSampleIndex();
      sent.add(f.getSampleIndex());
    }
    java.util.Set<Long> reported = new java.util.TreeSet<>();
    out.events.stream().filter(VideoEvent::hasProgress)
        .forEach(e -> reported.addAll(e.getProgress().getAckedSamplesList()));
    reported.addAll(last.getEnd().getAckedSamplesList());
    assertTrue(last.getEnd().getLive());
    assertEquals(sent, reported, "every sent sample is reported once acknowledged");
    // Live sampling follows the wall clock: about 2 frames per second of stream time.
    double seconds = (out.frames.get(out.frames.size() - 1).getPtsUs()
        - out.frames.get(0).getPtsUs()) / 1e6;
    System.out.printf("live: %d samples over %.1f s, reconnect gap %d ms%n", out.frames.size(),
        seconds, gaps.get(0));
  }
}
