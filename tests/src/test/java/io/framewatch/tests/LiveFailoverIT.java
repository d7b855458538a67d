package io.framewatch.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.app.bench.LoopbackStream;
import io.framewatch.decode.DecodeApp;
import io.framewatch.decode.DecodeConfig;
import io.framewatch.inference.ModelStore;
import io.framewatch.inference.SampleMedia;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.VideoEvent;
import io.framewatch.runtime.StageContext;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    second = new DecodeApp(DecodeConfig.fromEnv(SOURCES, kafka.settings()),
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

  @Test
  void shouldResumeALiveStreamOnTheOtherDecodeProcessAndAccountForEverySample()
      throws Exception {
    Path clip = SampleMedia.CAP12_MP4.fetch(ModelStore.fromEnvironment().cacheDir());
    try (LoopbackStream source = new LoopbackStream(clip)) {
      String id = api.startStream(source.url());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> api.status(id).getLong("framesAnalyzed", 0L) >= 8);
      String owner = VideoEventLog.owner(kafka.settings(), id);
      DecodeApp first = stack.stages().stream().filter(DecodeApp.class::isInstance)
          .map(DecodeApp.class::cast).findFirst().orElseThrow();
      DecodeApp running = owner.equals(first.workerName()) ? first : second;
      DecodeApp survivor = running == first ? second : first;
      assertEquals(owner, running.workerName());
      long before = api.status(id).getLong("framesAnalyzed");
      running.close();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> VideoEventLog.resumed(kafka.settings(), id, owner).isPresent());
      VideoEvent resumedBy = VideoEventLog.resumed(kafka.settings(), id, owner).orElseThrow();
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
    }
  }
}
