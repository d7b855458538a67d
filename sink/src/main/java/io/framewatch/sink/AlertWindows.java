package io.framewatch.sink;

import io.framewatch.proto.Alert;
import io.framewatch.proto.AlertLevel;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.TrackEvidence;
import io.framewatch.proto.Verdict;
import io.framewatch.sink.state.AlertState;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.sink.state.WindowFace;
import io.framewatch.sink.state.WindowSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Raises and clears a video's alert, with hysteresis. Live streams are judged in hopping windows
 * of media time over the faces as the tracker links them (in sample order, so a window is complete
 * once a sample past its end is linked): a track whose window mean reaches its model's raise
 * threshold raises the video's alert; while it is open, a higher score or another hot track
 * updates it; it clears only when every window of the hold time had enough frames and no track at
 * or above the clear threshold. An upload is judged once, by its FINAL verdict. Pure: the state
 * carries everything, so a replay gives the same transitions.
 */
final class AlertWindows {
  /** An update needs the score to rise this much over the open alert's peak. */
  static final double UPDATE_STEP = 0.05;
  /** Evidence samples an alert names. */
  static final int EVIDENCE = 3;
  /** Windows evaluated at most per input; a longer gap (a stream down) is skipped over. */
  static final int MAX_WINDOWS_PER_STEP = 1_000;

  private final AlertPolicy policy;
  /** Evidence requests of this step's live alerts (for the decoder running the stream). */
  private final List<EvidenceRequest> liveEvidence = new ArrayList<>();

  AlertWindows(AlertPolicy policy) {
    this.policy = policy;
  }

  /** The evidence requests of the live alerts evaluated so far. */
  List<EvidenceRequest> liveEvidence() {
    return liveEvidence;
  }

  /** Names the alert's evidence while its samples are still in the window ({@link Evidence}). */
  private Alert withEvidence(VerdictState.Builder s, String videoId, long nowMs, Alert a) {
    return Evidence.live(videoId, s, a, nowMs, liveEvidence, Evidence.mapShown(policy));
  }

  /** Keeps a linked live sample for the windows (its scored faces by track). */
  void onLinked(VerdictState.Builder s, FaceTracker.Linked l) {
    WindowSample.Builder w = WindowSample.newBuilder().setSample(l.frame().getSampleIndex())
        .setPtsUs(l.frame().getPtsUs()).setDecodedMs(l.frame().getDecodedAtMs())
        .setFrameIndex(l.frame().getFrameIndex()).setFrameWidth(l.frame().getFrameWidth())
        .setFrameHeight(l.frame().getFrameHeight()).setPixelFormat(l.frame().getPixelFormat());
    List<Detection> d = l.frame().getDetectionsList();
    for (int i = 0; i < d.size(); i++) {
      if (d.get(i).getResultCase() == Detection.ResultCase.P_FAKE) {
        // the whole detection stays with the sample: an alert's evidence is cropped on it
        w.addFaces(WindowFace.newBuilder().setTrack(l.tracks()[i]).setPFake(d.get(i).getPFake())
            .setModel(l.frame().getClassifierModel()).setFaceIndex(i).setDetection(d.get(i)));
      }
    }
    int n = s.getRecentCount();
    if (n == 0 || s.getRecent(n - 1).getPtsUs() <= w.getPtsUs()) {
      s.addRecent(w);
    } else { // linked late: keep the samples in time order
      List<WindowSample> all = new ArrayList<>(s.getRecentList());
      all.add(w.build());
      all.sort(Comparator.comparingLong(WindowSample::getPtsUs));
      s.clearRecent().addAllRecent(all);
    }
  }

  /**
   * Evaluates every window that ended at or before the tracker's watermark.
   *
   * @param triggerDecodedMs decode time of the newest frame linked (what completed the windows)
   * @param nowMs wall clock, the transitions' time
   */
  List<Alert> advance(VerdictState.Builder s, String videoId, long triggerDecodedMs, long nowMs) {
    List<Alert> out = new ArrayList<>();
    if (s.getRecentCount() == 0) {
      return out;
    }
    long hop = policy.hopUs();
    long watermark = s.getLinkedPtsUs();
    long next = s.getNextWindowEndUs();
    if (next == 0) {
      next = Math.floorDiv(s.getRecent(0).getPtsUs(), hop) * hop + hop;
    }
    if ((watermark - next) / hop > MAX_WINDOWS_PER_STEP) {
      next = Math.floorDiv(watermark - policy.windowUs(), hop) * hop + hop;
    }
    while (next <= watermark) {
      evaluate(s, videoId, next, triggerDecodedMs, nowMs).ifPresent(out::add);
      next += hop;
    }
    s.setNextWindowEndUs(next);
    long keepFrom = next - policy.windowUs();
    int drop = 0;
    while (drop < s.getRecentCount() && s.getRecent(drop).getPtsUs() < keepFrom) {
      drop++;
    }
    if (drop > 0) {
      List<WindowSample> keep = new ArrayList<>(s.getRecentList().subList(drop,
          s.getRecentCount()));
      s.clearRecent().addAllRecent(keep);
    }
    return out;
  }

  /** One track's faces in a window. */
  private static final class TrackWindow {
    int faces;
    double sum;
    String model = "";
    final TreeMap<Double, Long> top = new TreeMap<>(Comparator.reverseOrder());

    double mean() {
      return sum / faces;
    }
  }

  private Optional<Alert> evaluate(VerdictState.Builder s, String videoId, long end,
      long triggerDecodedMs, long nowMs) {
    long start = end - policy.windowUs();
    int frames = 0;
    Map<Integer, TrackWindow> tracks = new TreeMap<>();
    for (WindowSample w : s.getRecentList()) {
      if (w.getPtsUs() < start || w.getPtsUs() >= end) {
        continue;
      }
      frames++;
      for (WindowFace f : w.getFacesList()) {
        TrackWindow t = tracks.computeIfAbsent(f.getTrack(), k -> new TrackWindow());
        t.faces++;
        t.sum += f.getPFake();
        t.model = f.getModel();
        t.top.merge((double) f.getPFake(), w.getSample(), Math::min);
      }
    }
    if (frames < policy.minFrames()) {
      return Optional.empty(); // too little to judge either way (the stream was down)
    }
    // while an alert is open, its own clear threshold decides whether a track keeps it open
    AlertState.Builder open = s.getAlertBuilder();
    double openClear = open.getOpen() && policy.of(open.getModel()).isPresent()
        ? policy.of(open.getModel()).get().clear() : -1;
    List<Integer> hot = new ArrayList<>();
    double best = -1;
    int bestTrack = -1;
    boolean warm = false;
    for (var e : tracks.entrySet()) {
      TrackWindow t = e.getValue();
      Optional<AlertThresholds> th = policy.of(t.model);
      if (t.faces < policy.minFaces() || th.isEmpty()) {
        continue;
      }
      double m = t.mean();
      if (m > best) {
        best = m;
        bestTrack = e.getKey();
      }
      if (m >= th.get().raise()) {
        hot.add(e.getKey());
      }
      warm |= m >= (openClear >= 0 ? openClear : th.get().clear());
    }
    AlertState.Builder a = s.getAlertBuilder();
    if (!a.getOpen()) {
      if (hot.isEmpty()) {
        return Optional.empty();
      }
      TrackWindow t = tracks.get(bestTrack);
      AlertThresholds th = policy.of(t.model).orElseThrow();
      a.setCount(a.getCount() + 1).setOpen(true).setSequence(0).setRaisedAtMs(nowMs)
          .setPeak(best).clearTrackIds().addAllTrackIds(hot).setBelowSinceUs(0)
          .setWindowStartUs(start).setModel(t.model).setRaise(th.raise()).setClear(th.clear());
      return Optional.of(withEvidence(s, videoId, nowMs,
          transition(videoId, a, AlertTransition.RAISED, best, start, end,
          tracks, hot, frames, triggerDecodedMs, nowMs,
          String.format(Locale.ROOT, "track %d: mean P(fake) %.3f over %.0f s >= %.3f (%s)",
              bestTrack, best, policy.windowUs() / 1e6, th.raise(), t.model))));
    }
    if (warm) {
      a.setBelowSinceUs(0);
      TreeSet<Integer> ids = new TreeSet<>(a.getTrackIdsList());
      boolean joined = ids.addAll(hot);
      boolean higher = best >= a.getPeak() + UPDATE_STEP;
      a.setPeak(Math.max(a.getPeak(), best));
      if (!joined && !higher) {
        return Optional.empty();
      }
      a.clearTrackIds().addAllTrackIds(ids).setSequence(a.getSequence() + 1);
      return Optional.of(withEvidence(s, videoId, nowMs,
          transition(videoId, a, AlertTransition.UPDATED, best, start, end,
          tracks, hot.isEmpty() ? List.of(bestTrack) : hot, frames, triggerDecodedMs, nowMs,
          String.format(Locale.ROOT, joined ? "track(s) %s now at or above %.3f; best %.3f"
              : "score rose to %3$.3f (tracks %1$s)", hot, a.getRaise(), best))));
    }
    if (a.getBelowSinceUs() == 0) {
      a.setBelowSinceUs(end);
    }
    if (end - a.getBelowSinceUs() < policy.holdUs()) {
      return Optional.empty();
    }
    return Optional.of(clear(videoId, s, Math.max(best, 0), start, end, frames,
        triggerDecodedMs, nowMs, String.format(Locale.ROOT,
            "every track below %.3f for %.0f s", a.getClear(), policy.holdUs() / 1e6)));
  }

  /** Clears the open alert of a live stream that ended or failed. */
  List<Alert> onEnd(VerdictState.Builder s, String videoId, long nowMs, String why) {
    if (!s.getLive() || !s.getAlertBuilder().getOpen()) {
      return List.of();
    }
    long end = s.getLinkedPtsUs();
    return List.of(clear(videoId, s, -1, Math.max(0, end - policy.windowUs()), end, 0,
        s.getVerdictBuilder().getLastFrameDecodedMs(), nowMs, why));
  }

  /**
   * The classifier whose raise threshold an upload's FINAL decision score crossed (the lowest
   * threshold of the verdict's classifiers that have one); empty when none was crossed.
   */
  private Optional<String> finalModel(Verdict v) {
    if (!v.hasScore()) {
      return Optional.empty();
    }
    return List.of(v.getModel().split("\\+")).stream()
        .filter(m -> policy.of(m).isPresent())
        .min(Comparator.comparingDouble(m -> policy.of(m).get().raise()))
        .filter(m -> v.getScore() >= policy.of(m).get().raise());
  }

  /**
   * An upload's flagged tracks: when its decision score crossed a raise threshold, the tracks of
   * at least {@link FaceTracker#MIN_TRACK_FACES} faces whose mean P(fake) is at or above it (the
   * tracks its alert names); none otherwise.
   */
  List<Integer> flagged(Verdict v) {
    Optional<String> model = finalModel(v);
    if (model.isEmpty()) {
      return List.of();
    }
    double raise = policy.of(model.get()).get().raise();
    return v.getTracksList().stream()
        .filter(t -> t.hasScoreMean() && t.getFrames() >= FaceTracker.MIN_TRACK_FACES
            && t.getScoreMean() >= raise)
        .map(t -> t.getId()).toList();
  }

  /** An upload's alert: raised once, when its FINAL verdict's decision score crosses. */
  Optional<Alert> onFinal(VerdictState.Builder s, String videoId, long nowMs) {
    Verdict v = s.getVerdict();
    if (s.getLive() || s.getAlertBuilder().getCount() > 0) {
      return Optional.empty();
    }
    Optional<String> model = finalModel(v);
    if (model.isEmpty()) {
      return Optional.empty();
    }
    AlertThresholds th = policy.of(model.get()).get();
    List<Integer> ids = flagged(v);
    s.getAlertBuilder().setCount(1).setOpen(true).setSequence(0).setRaisedAtMs(nowMs)
        .setPeak(v.getScore()).addAllTrackIds(ids).setModel(model.get())
        .setRaise(th.raise()).setClear(th.clear());
    long last = v.getTracksList().stream().mapToLong(t -> t.getLastPtsUs()).max().orElse(0);
    // the evidence decode extracts for the FINAL verdict: the alert's tracks' top samples
    List<TrackEvidence> evidence = Evidence.forTracks(v.getTracksList(), ids, EVIDENCE);
    Alert.Builder alert = Alert.newBuilder().addAllEvidence(evidence);
    evidence.forEach(e -> alert.addEvidenceSamples(e.getSampleIndex()));
    if (!evidence.isEmpty()) {
      alert.setSampleIndex(evidence.get(0).getSampleIndex());
    }
    return Optional.of(alert.setVideoId(videoId).setAtMs(nowMs)
        .setAlertId(videoId + "#1").setTransition(AlertTransition.RAISED).setSequence(0)
        .setSource("upload").setLevel(level(v.getScore(), th.raise()))
        .setScore(v.getScore()).addAllTrackIds(ids).setWindowStartUs(0).setWindowEndUs(last)
        .setModel(model.get()).setRaiseThreshold(th.raise()).setClearThreshold(th.clear())
        .setFaces((int) Math.min(Integer.MAX_VALUE, v.getFacesDetected()))
        .setFrames((int) Math.min(Integer.MAX_VALUE, v.getFramesAnalyzed()))
        .setTriggerDecodedMs(v.getLastFrameDecodedMs()).setRaisedAtMs(nowMs)
        .setPeakScore(v.getScore())
        .setReason(String.format(Locale.ROOT, "%s score %.3f of the whole video >= %.3f (%s)",
            v.getScorePolicy(), v.getScore(), th.raise(), model.get()))
        .build());
  }

  private Alert clear(String videoId, VerdictState.Builder s, double score, long start, long end,
      int frames, long triggerDecodedMs, long nowMs, String reason) {
    AlertState.Builder a = s.getAlertBuilder();
    a.setOpen(false).setSequence(a.getSequence() + 1).setBelowSinceUs(0);
    Alert.Builder b = base(videoId, a, AlertTransition.CLEARED, start, end, triggerDecodedMs,
        nowMs).setLevel(AlertLevel.INFO).addAllTrackIds(a.getTrackIdsList()).setFrames(frames)
        .setReason(reason);
    if (score >= 0) {
      b.setScore(score);
    }
    return b.build();
  }

  private Alert transition(String videoId, AlertState.Builder a, AlertTransition kind,
      double score, long start, long end, Map<Integer, TrackWindow> tracks, List<Integer> ids,
      int frames, long triggerDecodedMs, long nowMs, String reason) {
    TreeMap<Double, Long> top = new TreeMap<>(Comparator.reverseOrder());
    int faces = 0;
    for (int id : ids) {
      TrackWindow t = tracks.get(id);
      faces = Math.max(faces, t.faces);
      t.top.forEach((p, sample) -> top.merge(p, sample, Math::min));
    }
    Alert.Builder b = base(videoId, a, kind, start, end, triggerDecodedMs, nowMs)
        .setLevel(level(score, a.getRaise())).setScore(score).addAllTrackIds(ids)
        .setFaces(faces).setFrames(frames).setReason(reason);
    top.values().stream().distinct().limit(EVIDENCE).forEach(b::addEvidenceSamples);
    if (b.getEvidenceSamplesCount() > 0) {
      b.setSampleIndex(b.getEvidenceSamples(0));
    }
    return b.build();
  }

  private static Alert.Builder base(String videoId, AlertState.Builder a, AlertTransition kind,
      long start, long end, long triggerDecodedMs, long nowMs) {
    return Alert.newBuilder().setVideoId(videoId).setAtMs(nowMs)
        .setAlertId(videoId + "#" + a.getCount()).setTransition(kind).setSequence(a.getSequence())
        .setSource("live").setWindowStartUs(Math.max(0, start)).setWindowEndUs(end)
        .setModel(a.getModel())
        .setRaiseThreshold(a.getRaise()).setClearThreshold(a.getClear())
        .setTriggerDecodedMs(triggerDecodedMs).setRaisedAtMs(a.getRaisedAtMs())
        .setPeakScore(a.getPeak());
  }

  /** CRITICAL from halfway between the raise threshold and 1, WARNING below. */
  static AlertLevel level(double score, double raise) {
    return score >= (raise + 1) / 2 ? AlertLevel.CRITICAL : AlertLevel.WARNING;
  }
}
