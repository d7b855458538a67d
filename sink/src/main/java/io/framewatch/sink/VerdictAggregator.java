package io.framewatch.sink;

import io.framewatch.proto.Alert;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Stall;
import io.framewatch.proto.StreamEvent;
import io.framewatch.proto.Verdict;
import io.framewatch.sink.state.VerdictInput;
import io.framewatch.sink.state.TrackState;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.proto.VerdictStatus;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.VideoEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Folds video events and frame analyses into a per-video verdict. Pure and deterministic: the
 * same inputs in the same order give the same state, so the sink can be replayed from its
 * changelog. Frames are counted once per sample index, whatever the redeliveries.
 */
public final class VerdictAggregator {
  /** Bitmap bound: more samples than this per video are counted but not deduplicated. */
  static final long MAX_TRACKED_SAMPLES = 1L << 24;

  private VerdictAggregator() {}

  /**
   * What one input produced: the new state, and the timeline points, alerts and evidence requests
   * to publish.
   */
  public record Step(VerdictState state, List<TimelinePoint> timeline, List<Alert> alerts,
      List<EvidenceRequest> evidence) {}

  /** Alerts off: no classifier has thresholds. */
  static final AlertPolicy NO_ALERTS = new AlertPolicy(10_000_000, 2_000_000, 6_000_000, 6, 10,
      java.util.Map.of());

  /** The state after {@code input}, with the default scoring and no alerts. */
  public static VerdictState apply(String videoId, VerdictInput input, VerdictState state) {
    return apply(videoId, input, state, Scoring.DEFAULT);
  }

  /** The state after {@code input}, with no alerts. */
  public static VerdictState apply(String videoId, VerdictInput input, VerdictState state,
      Scoring scoring) {
    return step(videoId, input, state, scoring, NO_ALERTS, input.getAtMs()).state();
  }

  /**
   * Folds {@code input} into {@code state}.
   *
   * @param nowMs wall clock: the time of any alert transition
   */
  public static Step step(String videoId, VerdictInput input, VerdictState state,
      Scoring scoring, AlertPolicy alertPolicy, long nowMs) {
    return step(videoId, input, state, scoring, alertPolicy, nowMs, FaceTracker.IN_STATE);
  }

  /**
   * Folds {@code input} into {@code state}, the analyses waiting to be linked in order kept where
   * {@code pendingSource} says.
   *
   * @param nowMs wall clock: the time of any alert transition
   */
  static Step step(String videoId, VerdictInput input, VerdictState state, Scoring scoring,
      AlertPolicy alertPolicy, long nowMs, FaceTracker.PendingSource pendingSource) {
    VerdictState.Builder s = state.toBuilder();
    Verdict.Builder v = s.getVerdictBuilder().setVideoId(videoId);
    List<FaceTracker.Linked> linked = new ArrayList<>();
    FaceTracker.Pending pending = pendingSource.of(videoId, s);
    if (pending.stored() && s.getPendingCount() > 0) {
      // a state written before the sink kept waiting analyses in its store
      List<FrameAnalysis> old = new ArrayList<>(s.getPendingList());
      s.clearPending();
      old.forEach(pending::put);
    }
    long at;
    if (input.hasEvent()) {
      at = onEvent(v, input.getEvent());
      onLiveAccounting(s, input.getEvent());
      onDecodeProgress(s, input.getEvent(), at);
      if (input.getEvent().hasEvidence()) {
        Evidence.stored(s, input.getEvent().getEvidence());
      }
      if (input.getEvent().hasProgress() && s.getLive()) {
        scoring.tracker().drain(s, pending, false, linked); // reports may show the gaps it waited on
      }
    } else if (input.hasFrame()) {
      at = input.getAtMs();
      if (onFrame(s, v, input.getFrame())) {
        scoring.tracker().add(s, pending, input.getFrame(), linked);
      }
      s.setLastDetectMs(Math.max(s.getLastDetectMs(), at));
    } else {
      return new Step(state, List.of(), List.of(), List.of());
    }
    if (v.getFirstEventMs() == 0 || (at > 0 && at < v.getFirstEventMs())) {
      v.setFirstEventMs(at);
    }
    v.setUpdatedMs(Math.max(v.getUpdatedMs(), at));
    // nothing more to wait for: a live stream ended; an upload's every analysis arrived (its end
    // comes from decode, usually long before detect's last analyses) or it failed
    boolean uploadDone = !s.getLive() && (v.getStatus() == VerdictStatus.FAILED
        || v.hasFramesExpected() && v.getFramesAnalyzed() >= v.getFramesExpected());
    if (pending.size() > 0 && (uploadDone
        || s.getLive() && input.hasEvent() && input.getEvent().hasEnd())) {
      scoring.tracker().drain(s, pending, true, linked);
    }
    if (s.getScoredFaces() > 0) {
      v.setScoreMean(s.getScoreSum() / s.getScoredFaces());
    }
    summarise(s, v, scoring);
    if (s.getLiveEnded()) {
      // live: the expected samples are those the decoders reported; a frame acknowledged just
      // before its worker died, after its last report, is counted when it arrives
      v.setFramesExpected(SampleBitmap.unionCount(s.getReportedSamples(), s.getSeenSamples()));
    }
    v.clearStall(); // any input is progress: a stalled verdict moves again
    VerdictStatus before = state.getVerdict().getStatus();
    if (v.getStatus() != VerdictStatus.FAILED) {
      boolean complete = s.getLiveEnded()
          ? SampleBitmap.subset(s.getReportedSamples(), s.getSeenSamples())
          : v.hasFramesExpected() && v.getFramesAnalyzed() >= v.getFramesExpected();
      v.setStatus(complete ? VerdictStatus.FINAL : VerdictStatus.RUNNING);
    }
    List<EvidenceRequest> evidence = List.of();
    AlertWindows windows = new AlertWindows(alertPolicy);
    if (v.getStatus() == VerdictStatus.FINAL && before != VerdictStatus.FINAL && !s.getLive()) {
      // an upload's tracks are complete: their top faces are named and asked for, before the
      // alert that links them is raised; flagged tracks' small faces also get a super-resolved
      // crop (the summaries must hold the scores the flag is decided on first)
      evidence = new ArrayList<>(Evidence.request(videoId, s, nowMs,
          Evidence.mapShown(alertPolicy)));
      summarise(s, v, scoring);
      evidence.addAll(Evidence.superResolve(videoId, s, windows.flagged(v.build()),
          scoring.tracker().srMaxFace(), nowMs));
      summarise(s, v, scoring);
    }
    List<Alert> alerts = alerts(videoId, s, linked, windows, before, nowMs);
    if (!windows.liveEvidence().isEmpty()) {
      // a live alert's evidence is asked of the decode process running the stream; the tracks
      // list it too, for decode's report to mark stored
      evidence = windows.liveEvidence();
      summarise(s, v, scoring);
    }
    v.setLive(s.getLive()).setAlertOpen(s.getAlertBuilder().getOpen())
        .setAlertsRaised(s.getAlertBuilder().getCount());
    return new Step(s.build(), timeline(videoId, linked), alerts, evidence);
  }

  private static List<Alert> alerts(String videoId, VerdictState.Builder s,
      List<FaceTracker.Linked> linked, AlertWindows windows, VerdictStatus before, long nowMs) {
    List<Alert> out = new ArrayList<>();
    VerdictStatus now = s.getVerdictBuilder().getStatus();
    boolean ended = (now == VerdictStatus.FINAL || now == VerdictStatus.FAILED) && now != before;
    if (s.getLive()) {
      long trigger = 0;
      for (FaceTracker.Linked l : linked) {
        windows.onLinked(s, l);
        trigger = Math.max(trigger, l.frame().getDecodedAtMs());
      }
      if (!linked.isEmpty()) {
        out.addAll(windows.advance(s, videoId, trigger, nowMs));
      }
      if (ended) {
        out.addAll(windows.onEnd(s, videoId, nowMs, now == VerdictStatus.FAILED
            ? "the stream failed: " + s.getVerdictBuilder().getError() : "the stream ended"));
      }
    } else if (ended && now == VerdictStatus.FINAL) {
      windows.onFinal(s, videoId, nowMs).ifPresent(out::add);
    }
    String tenant = s.getVerdictBuilder().getTenant();
    if (!tenant.isEmpty()) {
      // the owner's webhooks, and only theirs, receive it (notify filters on it)
      out.replaceAll(a -> a.toBuilder().setTenant(tenant).build());
    }
    return out;
  }

  private static List<TimelinePoint> timeline(String videoId, List<FaceTracker.Linked> linked) {
    List<TimelinePoint> out = new ArrayList<>();
    for (FaceTracker.Linked l : linked) {
      FrameAnalysis f = l.frame();
      for (int i = 0; i < f.getDetectionsCount(); i++) {
        Detection d = f.getDetections(i);
        TimelinePoint.Builder p = TimelinePoint.newBuilder().setVideoId(videoId)
            .setSampleIndex(f.getSampleIndex()).setPtsUs(f.getPtsUs()).setTrackId(l.tracks()[i])
            .setModel(f.getClassifierModel()).setDecodedAtMs(f.getDecodedAtMs());
        if (d.getResultCase() == Detection.ResultCase.P_FAKE) {
          p.setPFake(d.getPFake());
        }
        out.add(p.build());
      }
    }
    return out;
  }

  private static long onEvent(Verdict.Builder v, VideoEvent e) {
    switch (e.getKindCase()) {
      case ACCEPTED -> v.setFileName(e.getAccepted().getFileName())
          .setLive(v.getLive() || e.getAccepted().getLive())
          .setTenant(e.getAccepted().getTenant())
          // an upload's file stays in the media store; a live stream stores nothing
          .setStoredBytes(e.getAccepted().getLive() ? 0 : e.getAccepted().getSizeBytes());
      case FETCHING -> v.setFetching(e.getFetching()).setStoredBytes(Math.max(
          v.getStoredBytes(), e.getFetching().getBytesReceived()));
      case PROBE -> v.setProbe(e.getProbe());
      case PROGRESS -> v.setFramesDecoded(
          Math.max(v.getFramesDecoded(), e.getProgress().getFramesDecoded()));
      case END -> v.setFramesExpected(e.getEnd().getSamplesExpected())
          .setFramesDecoded(e.getEnd().getFramesDecoded())
          .setDecodeMs(e.getEnd().getDecodeMs());
      case FAILURE -> {
        v.setStatus(VerdictStatus.FAILED)
            .setError(e.getFailure().getStage() + ": " + e.getFailure().getReason());
        if (e.getFailure().getStage().equals("ingest")) {
          v.setStoredBytes(0); // a URL intake that failed deleted its partial file
        }
      }
      default -> { }
    }
    return e.getAtMs();
  }

  /** Remembers when and by whom the video was last decoded, and whether its source is down. */
  private static void onDecodeProgress(VerdictState.Builder s, VideoEvent e, long at) {
    if (e.getKindCase() == VideoEvent.KindCase.ACCEPTED
        || e.getKindCase() == VideoEvent.KindCase.FETCHING
        || e.getKindCase() == VideoEvent.KindCase.EVIDENCE) {
      return; // ingest, or decode's evidence server: not the decode job
    }
    s.setLastDecodeMs(Math.max(s.getLastDecodeMs(), at));
    if (!e.getWorker().isEmpty()) {
      s.setDecodeWorker(e.getWorker());
    }
    if (e.hasStream()) {
      s.setStreamDown(e.getStream().getKind() == StreamEvent.Kind.DROPPED
          ? e.getStream().getReason().isEmpty() ? "dropped" : e.getStream().getReason() : "");
    } else if (e.hasProgress()) {
      s.setStreamDown("");
      s.setSamplesEmitted(Math.max(s.getSamplesEmitted(), e.getProgress().getSamplesEmitted()));
    }
  }

  /**
   * The state after {@code now} passed with no input since the verdict's last update: STALLED when
   * the video is still running and nothing moved for {@code timeoutMs}, naming the stage whose
   * work is missing; the same state otherwise.
   */
  public static VerdictState checkStall(VerdictState state, long now, long timeoutMs) {
    Verdict v = state.getVerdict();
    if (v.getStatus() != VerdictStatus.RUNNING || now - v.getUpdatedMs() < timeoutMs) {
      return state;
    }
    long quiet = (now - v.getUpdatedMs()) / 1000;
    String stage;
    String reason;
    if (!v.hasProbe()) {
      stage = "decode";
      reason = "no decode worker has opened the video for " + quiet
          + " s (decode processes busy or down)";
    } else if (!state.getStreamDown().isEmpty()) {
      stage = "decode";
      reason = "the live source has been down for " + quiet + " s (" + state.getStreamDown()
          + "); " + state.getDecodeWorker() + " keeps reconnecting";
    } else if (v.hasFramesExpected() || state.getLiveEnded()) {
      stage = "detect";
      reason = (v.getFramesExpected() - v.getFramesAnalyzed()) + " of "
          + v.getFramesExpected() + " samples not analysed for " + quiet + " s";
    } else if (state.getSamplesEmitted() > v.getFramesAnalyzed()) {
      stage = "detect";
      reason = (state.getSamplesEmitted() - v.getFramesAnalyzed()) + " decoded samples not"
          + " analysed for " + quiet + " s";
    } else {
      stage = "decode";
      reason = "no progress from decode worker " + state.getDecodeWorker() + " for " + quiet
          + " s";
    }
    VerdictState.Builder s = state.toBuilder();
    s.getVerdictBuilder().setStatus(VerdictStatus.STALLED).setStall(Stall.newBuilder()
        .setStage(stage).setReason(reason).setSinceMs(v.getUpdatedMs()));
    return s.build();
  }

  /** Live streams report the sample indices their frames were acknowledged under. */
  private static void onLiveAccounting(VerdictState.Builder s, VideoEvent e) {
    if (e.hasAccepted() && e.getAccepted().getLive() || e.hasEnd() && e.getEnd().getLive()) {
      s.setLive(true);
    }
    List<Long> acked = e.hasProgress() ? e.getProgress().getAckedSamplesList()
        : e.hasEnd() && e.getEnd().getLive() ? e.getEnd().getAckedSamplesList() : List.of();
    if (!acked.isEmpty()) {
      s.setLive(true).setReportedMax(Math.max(s.hasReportedMax() ? s.getReportedMax() : -1,
          java.util.Collections.max(acked)));
    }
    if (e.hasProgress() && e.getProgress().getAckedSamplesCount() > 0) {
      s.setReportedSamples(SampleBitmap.with(s.getReportedSamples(),
          e.getProgress().getAckedSamplesList()));
    } else if (e.hasEnd() && e.getEnd().getLive()) {
      s.setReportedSamples(SampleBitmap.with(s.getReportedSamples(),
          e.getEnd().getAckedSamplesList()));
      s.setLiveEnded(true);
    }
  }

  /** The verdict's tracks and scores, from the state. */
  private static void summarise(VerdictState.Builder s, Verdict.Builder v, Scoring scoring) {
    v.clearTracks();
    double trackMax = -1;
    for (TrackState t : s.getTracksList()) {
      v.addTracks(t.getSummary());
      if (t.getScored() >= FaceTracker.MIN_TRACK_FACES) {
        trackMax = Math.max(trackMax, t.getSummary().getScoreMean());
      }
    }
    if (trackMax >= 0) {
      v.setScoreTrackMax(trackMax);
    } else {
      v.clearScoreTrackMax();
    }
    if (s.getScoreBinsCount() > 0) {
      v.setScoreP90(FaceTracker.quantile(s.getScoreBinsMap(), 0.9));
    }
    v.setScorePolicy(scoring.policy());
    boolean has = switch (scoring.policy()) {
      case "track-max" -> v.hasScoreTrackMax();
      case "p90" -> v.hasScoreP90();
      default -> v.hasScoreMean();
    };
    if (has) {
      v.setScore(switch (scoring.policy()) {
        case "track-max" -> v.getScoreTrackMax();
        case "p90" -> v.getScoreP90();
        default -> v.getScoreMean();
      });
    } else {
      v.clearScore();
    }
  }

  /** Counts a frame once; false for a redelivered one, which the tracker must not see again. */
  private static boolean onFrame(VerdictState.Builder s, Verdict.Builder v, FrameAnalysis f) {
    long idx = f.getSampleIndex();
    if (SampleBitmap.trackable(idx)) {
      if (SampleBitmap.contains(s.getSeenSamples(), idx)) {
        return false; // a redelivered frame: already counted
      }
      s.setSeenSamples(SampleBitmap.with(s.getSeenSamples(), java.util.List.of(idx)));
    }
    v.setFramesAnalyzed(v.getFramesAnalyzed() + 1);
    v.setLastFrameDecodedMs(Math.max(v.getLastFrameDecodedMs(), f.getDecodedAtMs()));
    v.setAnalysisMsTotal(v.getAnalysisMsTotal() + f.getAnalysisMs());
    if (!f.getDetectorModel().isEmpty()) {
      v.setDetectorModel(f.getDetectorModel());
    }
    if (!f.getClassifierModel().isEmpty()) {
      v.setModel(mergeModels(v.getModel(), f.getClassifierModel()));
    }
    if (!f.getError().isEmpty()) {
      v.setFramesFailed(v.getFramesFailed() + 1);
      return true; // no faces, but it takes its turn in the track order
    }
    if (f.getDetectionsCount() > 0) {
      v.setFramesWithFaces(v.getFramesWithFaces() + 1);
      v.setFacesDetected(v.getFacesDetected() + f.getDetectionsCount());
    }
    for (Detection d : f.getDetectionsList()) {
      if (d.getResultCase() == Detection.ResultCase.P_FAKE) {
        s.setScoreSum(s.getScoreSum() + d.getPFake());
        s.setScoredFaces(s.getScoredFaces() + 1);
        int bin = FaceTracker.bin(d.getPFake());
        s.putScoreBins(bin, s.getScoreBinsOrDefault(bin, 0) + 1);
        v.setScoreMax(v.hasScoreMax() ? Math.max(v.getScoreMax(), d.getPFake()) : d.getPFake());
      }
    }
    return true;
  }

  /**
   * The verdict's classifier field: every classifier that judged frames of the video, sorted and
   * joined by '+' (detect/ routes heavily compressed frames to a second classifier).
   */
  static String mergeModels(String current, String model) {
    if (current.isEmpty() || current.equals(model)) {
      return model;
    }
    TreeSet<String> all = new TreeSet<>(List.of(current.split("\\+")));
    all.add(model);
    return String.join("+", all);
  }
}
