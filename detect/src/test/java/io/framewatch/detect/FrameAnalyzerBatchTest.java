package io.framewatch.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.framewatch.frames.RgbImage;
import io.framewatch.inference.BackendOptions;
import io.framewatch.inference.ModelStore;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The frames of one poll analysed together get what each gets alone: the same faces and, with
 * their faces scored in shared classifier batches, the same P(fake); a broken frame among them
 * gets its error and leaves the others' results intact. Real franck frames (faces-smoke golden
 * frames, made by `./framewatch test`), the shipped BlazeFace and caddm-demo.
 */
class FrameAnalyzerBatchTest {

  @Test
  void shouldAnalyseAPollsFramesTogetherAsItAnalysesEachAlone() throws Exception {
    List<FrameRecord> frames = goldenFrames();
    assertTrue(frames.size() > 2, frames.size() + " frames");
    // a frame whose data is shorter than its size claims, in the middle of the poll
    List<FrameRecord> poll = new ArrayList<>(frames);
    poll.add(1, frames.get(0).toBuilder().setSampleIndex(99)
        .setData(ByteString.copyFrom(new byte[10])).build());
    ModelStore store = ModelStore.fromEnvironment();
    BackendOptions options = BackendOptions.defaults(store.cacheDir()).withThreads(1, 1);
    try (FrameAnalyzer analyzer = new FrameAnalyzer(
        new BlazeFaceDetector(store.manifest("blazeface-front-128"),
            store.open("blazeface-front-128", options),
            0.5f),
        Optional.of(new ClassifierRoute(new DeepfakeClassifier("caddm-demo",
            store.open("caddm-demo", options)), Optional.empty(), 0)), "test")) {
      List<FrameAnalysis> together = analyzer.analyzeAll(poll);
      assertEquals(poll.size(), together.size());
      assertFalse(together.get(1).getError().isEmpty(), "the broken frame reports its error");
      assertEquals(99, together.get(1).getSampleIndex());
      int faces = 0;
      for (int i = 0; i < poll.size(); i++) {
        if (i == 1) {
          continue;
        }
        FrameAnalysis alone = analyzer.analyze(poll.get(i));
        FrameAnalysis batched = together.get(i);
        assertEquals("", batched.getError());
        assertEquals(alone.getSampleIndex(), batched.getSampleIndex());
        assertEquals(alone.getDetectionsCount(), batched.getDetectionsCount(), "frame " + i);
        for (int f = 0; f < alone.getDetectionsCount(); f++) {
          assertEquals(alone.getDetections(f).getFace(), batched.getDetections(f).getFace());
          assertEquals(alone.getDetections(f).getPFake(), batched.getDetections(f).getPFake(),
              1e-5f, "frame " + i + " face " + f);
          faces++;
        }
      }
      assertTrue(faces >= frames.size(), "every golden frame holds a face: " + faces);
    }
  }

  /** The golden frames as BGR24 frame records, as decode sends them when asked for BGR. */
  private static List<FrameRecord> goldenFrames() throws Exception {
    Path golden = ModelStore.fromEnvironment().cacheDir().resolve("deepfake")
        .resolve("faces-smoke").resolve("golden");
    assertTrue(Files.isDirectory(golden), golden + " is missing: `./framewatch test` makes it"
        + " with models/deepfake/build_faces.py --smoke before running Maven");
    List<FrameRecord> out = new ArrayList<>();
    int sample = 0;
    for (JsonNode frame : new ObjectMapper().readTree(golden.resolve("frames.json").toFile())
        .get("frames")) {
      RgbImage img = RgbImage.read(golden.resolve(frame.get("file").asText()));
      byte[] bgr = new byte[img.rgb().length];
      for (int p = 0; p < bgr.length; p += 3) {
        bgr[p] = img.rgb()[p + 2];
        bgr[p + 1] = img.rgb()[p + 1];
        bgr[p + 2] = img.rgb()[p];
      }
      out.add(FrameRecord.newBuilder().setVideoId("golden").setSampleIndex(sample++)
          .setPixelFormat(PixelFormat.BGR24).setWidth(img.width()).setHeight(img.height())
          .addStrides(3 * img.width()).setData(ByteString.copyFrom(bgr)).build());
    }
    return out;
  }
}
