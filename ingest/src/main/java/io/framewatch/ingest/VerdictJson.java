package io.framewatch.ingest;

import io.framewatch.proto.Probe;
import io.framewatch.proto.TrackEvidence;
import io.framewatch.proto.TrackSummary;
import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The public JSON shape of a verdict (API responses and {@code framewatch analyze --json}).
 * {@code score} is the mean per-face P(fake) and is null unless a classifier judged faces;
 * {@code updatedMs} is when the sink last changed it, {@code lastFrameDecodedMs} when decode
 * produced the newest frame it counts (null until one), {@code alertOpen} and
 * {@code alertsRaised} summarise the video's alerts, {@code storedBytes} is what its file holds in
 * the media store, and {@code fetching} ({@code bytesReceived}, {@code bytesTotal}: null when the
 * source did not say) is a URL intake's download, present from its first progress on (complete,
 * received equal to total, once the file is stored). Each track lists its {@code evidence}
 * ({@link #evidence}).
 */
public final class VerdictJson {
  private VerdictJson() {}

  /**
   * A track's evidence: per sample, its time, P(fake), the files' names and URLs, and whether
   * decode wrote them ({@code stored}) or why it could not ({@code error}); where a super-resolved
   * crop was asked for, its name, URL and whether enhance wrote it ({@code enhanced*}).
   */
  static JsonArray evidence(String videoId, List<TrackEvidence> evidence) {
    JsonArray out = new JsonArray();
    for (TrackEvidence e : evidence) {
      out.add(new JsonObject().put("sampleIndex", e.getSampleIndex())
          .put("seconds", e.getPtsUs() / 1e6).put("frameIndex", e.getFrameIndex())
          .put("faceIndex", e.getFaceIndex())
          .put("pFake", e.hasPFake() ? Double.parseDouble(Float.toString(e.getPFake())) : null)
          .put("cropFile", e.getCropFile()).put("frameFile", e.getFrameFile())
          .put("cropUrl", EvidenceRoutes.url(videoId, e.getCropFile()))
          .put("frameUrl", EvidenceRoutes.url(videoId, e.getFrameFile()))
          .put("mapFile", e.getMapFile().isEmpty() ? null : e.getMapFile())
          .put("mapUrl", e.getMapFile().isEmpty() ? null
              : EvidenceRoutes.url(videoId, e.getMapFile()))
          .put("stored", e.getStored()).put("error", e.getError().isEmpty() ? null : e.getError()));
      if (!e.getEnhancedFile().isEmpty()) {
        // a flagged track's small face, super-resolved x3 by enhance from a burst around it
        out.getJsonObject(out.size() - 1).put("enhancedFile", e.getEnhancedFile())
            .put("enhancedUrl", EvidenceRoutes.url(videoId, e.getEnhancedFile()))
            .put("enhancedStored", e.getEnhancedStored())
            .put("enhancedError", e.getEnhancedError().isEmpty() ? null : e.getEnhancedError());
      }
    }
    return out;
  }

  /** Renders a verdict. */
  public static JsonObject of(Verdict v) {
    JsonObject o = new JsonObject()
        .put("videoId", v.getVideoId())
        .put("status", v.getStatus() == VerdictStatus.VERDICT_STATUS_UNSPECIFIED
            ? "RUNNING" : v.getStatus().name())
        .put("fileName", v.getFileName())
        .put("framesExpected", v.hasFramesExpected() ? v.getFramesExpected() : null)
        .put("framesEstimated", v.getProbe().getEstimatedSamples())
        .put("framesAnalyzed", v.getFramesAnalyzed())
        .put("framesWithFaces", v.getFramesWithFaces())
        .put("framesFailed", v.getFramesFailed())
        .put("facesDetected", v.getFacesDetected())
        .put("score", v.hasScoreMean() ? v.getScoreMean() : null)
        .put("scoreMax", v.hasScoreMax() ? v.getScoreMax() : null)
        .put("model", v.getModel().isEmpty() ? "none" : v.getModel())
        .put("detectorModel", v.getDetectorModel())
        .put("error", v.getError().isEmpty() ? null : v.getError())
        .put("updatedMs", v.getUpdatedMs())
        .put("alertOpen", v.getAlertOpen())
        .put("alertsRaised", v.getAlertsRaised())
        .put("lastFrameDecodedMs",
            v.getLastFrameDecodedMs() == 0 ? null : v.getLastFrameDecodedMs());
    o.put("decisionScore", v.hasScore() ? v.getScore() : null)
        .put("scorePolicy", v.getScorePolicy().isEmpty() ? null : v.getScorePolicy())
        .put("scoreTrackMax", v.hasScoreTrackMax() ? v.getScoreTrackMax() : null)
        .put("scoreP90", v.hasScoreP90() ? v.getScoreP90() : null);
    JsonArray tracks = new JsonArray();
    for (TrackSummary t : v.getTracksList()) {
      tracks.add(new JsonObject().put("id", t.getId())
          .put("firstSeconds", t.getFirstPtsUs() / 1e6).put("lastSeconds", t.getLastPtsUs() / 1e6)
          .put("frames", t.getFrames())
          .put("scoreMean", t.hasScoreMean() ? t.getScoreMean() : null)
          .put("scoreMax", t.hasScoreMax() ? t.getScoreMax() : null)
          .put("scoreP90", t.hasScoreP90() ? t.getScoreP90() : null)
          .put("evidence", evidence(v.getVideoId(), t.getEvidenceList())));
    }
    o.put("tracks", tracks);
    o.put("storedBytes", v.getStoredBytes());
    if (v.hasFetching()) {
      long total = v.getFetching().getBytesTotal();
      o.put("fetching", new JsonObject().put("bytesReceived", v.getFetching().getBytesReceived())
          .put("bytesTotal", total < 0 ? null : total));
    }
    if (v.hasStall()) {
      o.put("stall", new JsonObject().put("stage", v.getStall().getStage())
          .put("reason", v.getStall().getReason()).put("sinceMs", v.getStall().getSinceMs()));
    }
    if (v.hasProbe()) {
      Probe p = v.getProbe();
      o.put("probe", new JsonObject().put("container", p.getContainer()).put("codec", p.getCodec())
          .put("width", p.getWidth()).put("height", p.getHeight()).put("fps", p.getFps())
          .put("durationSeconds", p.getDurationUs() / 1e6).put("hasAudio", p.getHasAudio()));
    }
    o.put("timings", new JsonObject()
        .put("decodeMs", v.getDecodeMs())
        .put("framesDecoded", v.getFramesDecoded())
        .put("analysisMsTotal", Math.round(v.getAnalysisMsTotal() * 10) / 10.0)
        .put("elapsedMs", Math.max(0, v.getUpdatedMs() - v.getFirstEventMs())));
    return o;
  }
}
