package io.framewatch.sink;

import io.framewatch.proto.Alert;
import io.framewatch.proto.BurstSrRequest;
import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.CropRequest;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.Probe;
import io.framewatch.proto.StoredEnhanced;
import io.framewatch.proto.StoredCrop;
import io.framewatch.proto.TrackEvidence;
import io.framewatch.proto.TrackSummary;
import io.framewatch.frames.ArtifactOverlay;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.sink.state.AlertState;
import io.framewatch.sink.state.EvidenceCandidate;
import io.framewatch.sink.state.TrackState;
import io.framewatch.sink.state.VerdictState;
import io.framewatch.sink.state.WindowFace;
import io.framewatch.sink.state.WindowSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Evidence for moderators: when an upload's verdict turns FINAL, each track's top faces (kept by
 * {@link FaceTracker}) are named in the verdict ({@link TrackSummary#getEvidenceList()}) and
 * asked of decode, one {@link EvidenceRequest} per sample (carrying every requested face of it,
 * so its thumbnail shows them all); decode's {@link EvidenceStored} events then mark them stored.
 * File names are fixed by {@link VideoFiles#cropName} and {@link VideoFiles#frameName}, so the
 * verdict and the alert link them before they exist. The FINAL transition happens once per video,
 * so each (sample, face) is asked for once; decode writes the same names again if a request is
 * redelivered.
 */
final class Evidence {
  private Evidence() {}

  /**
   * Whether a face's artifact map is drawn as evidence: it has one and its P(fake) is at or above
   * its model's alert raise threshold (the alerts' "looks forged"), or
   * {@link ArtifactOverlay#SHOWN_FROM} for a model without thresholds. A lower bar would draw
   * maps on many real faces: caddm-demo's real faces average 0.54.
   */
  static java.util.function.Predicate<Detection> mapShown(AlertPolicy policy) {
    return d -> ArtifactOverlay.shown(d, policy.of(d.getModelId()).map(AlertThresholds::raise)
        .orElse((double) ArtifactOverlay.SHOWN_FROM));
  }

  /** Names every track's evidence in the state and returns the requests for it. */
  static List<EvidenceRequest> request(String videoId, VerdictState.Builder s, long nowMs,
      java.util.function.Predicate<Detection> mapShown) {
    TreeMap<Long, EvidenceRequest.Builder> bySample = new TreeMap<>();
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      TrackSummary.Builder sum = t.getSummaryBuilder().clearEvidence();
      for (EvidenceCandidate c : t.getTopList()) {
        TrackEvidence.Builder e = TrackEvidence.newBuilder().setSampleIndex(c.getSample())
            .setPtsUs(c.getPtsUs()).setFrameIndex(c.getFrameIndex())
            .setFaceIndex(c.getFaceIndex())
            .setCropFile(VideoFiles.cropName(c.getSample(), c.getFaceIndex()))
            .setFrameFile(VideoFiles.frameName(c.getSample()));
        boolean map = mapShown.test(c.getDetection());
        if (map) {
          e.setMapFile(VideoFiles.mapName(c.getSample(), c.getFaceIndex()));
        }
        if (c.getDetection().getResultCase() == Detection.ResultCase.P_FAKE) {
          e.setPFake(c.getDetection().getPFake());
        }
        sum.addEvidence(e);
        EvidenceRequest.Builder r = bySample.computeIfAbsent(c.getSample(),
            k -> EvidenceRequest.newBuilder().setVideoId(videoId).setSampleIndex(c.getSample())
                .setFrameIndex(c.getFrameIndex()).setPtsUs(c.getPtsUs())
                .setFrameWidth(c.getFrameWidth()).setFrameHeight(c.getFrameHeight())
                .setPixelFormat(c.getPixelFormat()).setTenant(s.getVerdict().getTenant())
                .setRequestedAtMs(nowMs).setCrop(CropRequest.getDefaultInstance()));
        CropRequest.Builder crop = r.getCropBuilder();
        if (crop.getFacesList().stream().noneMatch(f -> f.getFaceIndex() == c.getFaceIndex())) {
          crop.addFaces(EvidenceFace.newBuilder().setFaceIndex(c.getFaceIndex())
              .setTrackId(sum.getId()).setDetection(c.getDetection()).setDrawArtifactMap(map));
        }
      }
    }
    List<EvidenceRequest> out = new ArrayList<>();
    bySample.values().forEach(r -> out.add(r.build()));
    return out;
  }

  /** Frames of a super-resolution burst: burstnc-x3's K, reference in the middle. */
  static final int SR_FRAMES = 5;

  /**
   * Super-resolved evidence: each flagged track whose face at its top sample (its first evidence
   * entry, already named by {@link #request}) is smaller than {@code maxFace} source pixels
   * (longer side of the box; the source size from the verdict's probe, the analysis frame's when
   * there is none) gets one {@link BurstSrRequest} for that face; its evidence entry names the
   * file enhance will write ({@link VideoFiles#enhancedName}). Asked once, with the FINAL
   * transition, like the crops.
   */
  static List<EvidenceRequest> superResolve(String videoId, VerdictState.Builder s,
      List<Integer> flagged, int maxFace, long nowMs) {
    List<EvidenceRequest> out = new ArrayList<>();
    if (maxFace <= 0 || flagged.isEmpty()) {
      return out;
    }
    Probe probe = s.getVerdict().getProbe();
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      TrackSummary.Builder sum = t.getSummaryBuilder();
      if (!flagged.contains(sum.getId()) || t.getTopCount() == 0
          || sum.getEvidenceCount() == 0) {
        continue;
      }
      EvidenceCandidate c = t.getTop(0);
      if (faceSide(c, probe) >= maxFace) {
        continue;
      }
      String file = VideoFiles.enhancedName(c.getSample(), c.getFaceIndex());
      sum.getEvidenceBuilder(0).setEnhancedFile(file);
      out.add(EvidenceRequest.newBuilder().setVideoId(videoId).setSampleIndex(c.getSample())
          .setFrameIndex(c.getFrameIndex()).setPtsUs(c.getPtsUs())
          .setFrameWidth(c.getFrameWidth()).setFrameHeight(c.getFrameHeight())
          .setPixelFormat(c.getPixelFormat()).setTenant(s.getVerdict().getTenant())
          .setRequestedAtMs(nowMs).setBurstSr(BurstSrRequest.newBuilder()
              .setFace(EvidenceFace.newBuilder().setFaceIndex(c.getFaceIndex())
                  .setTrackId(sum.getId()).setDetection(c.getDetection()))
              .setFrames(SR_FRAMES).setFile(file))
          .build());
    }
    return out;
  }

  /** The longer side of a candidate's face box in source pixels. */
  static double faceSide(EvidenceCandidate c, Probe probe) {
    FaceDetection f = c.getDetection().getFace();
    double sx = probe.getWidth() > 0 && c.getFrameWidth() > 0
        ? (double) probe.getWidth() / c.getFrameWidth() : 1;
    double sy = probe.getHeight() > 0 && c.getFrameHeight() > 0
        ? (double) probe.getHeight() / c.getFrameHeight() : 1;
    return Math.max((f.getXMax() - f.getXMin()) * sx, (f.getYMax() - f.getYMin()) * sy);
  }

  /** Live samples remembered as asked for (an alert's evidence is asked once per sample). */
  static final int LIVE_REQUESTED = 64;
  /** Evidence entries a live track keeps (each alert transition adds its best samples). */
  static final int LIVE_PER_TRACK = 20;

  /**
   * A live alert with its evidence: the faces of its evidence samples on its tracks, named (and
   * added to those tracks' evidence), with a request for each sample not asked for before into
   * {@code out}. Live streams keep no media: the decode process running the stream answers from
   * its recent frames, so the caller sends these on {@code video.control}.
   */
  static Alert live(String videoId, VerdictState.Builder s, Alert a, long nowMs,
      List<EvidenceRequest> out, java.util.function.Predicate<Detection> mapShown) {
    if (a.getTransition() == AlertTransition.CLEARED || a.getEvidenceSamplesCount() == 0) {
      return a;
    }
    Set<Integer> ids = Set.copyOf(a.getTrackIdsList());
    Alert.Builder b = a.toBuilder().clearEvidence();
    AlertState.Builder st = s.getAlertBuilder();
    for (long sample : a.getEvidenceSamplesList()) {
      WindowSample w = s.getRecentList().stream().filter(r -> r.getSample() == sample)
          .findFirst().orElse(null);
      if (w == null) {
        continue;
      }
      CropRequest.Builder crop = CropRequest.newBuilder();
      for (WindowFace f : w.getFacesList()) {
        if (!ids.contains(f.getTrack()) || !f.hasDetection()) {
          continue;
        }
        TrackEvidence te = TrackEvidence.newBuilder().setSampleIndex(sample)
            .setPtsUs(w.getPtsUs()).setFrameIndex(w.getFrameIndex())
            .setFaceIndex(f.getFaceIndex()).setPFake(f.getPFake())
            .setCropFile(VideoFiles.cropName(sample, f.getFaceIndex()))
            .setFrameFile(VideoFiles.frameName(sample))
            .setMapFile(mapShown.test(f.getDetection())
                ? VideoFiles.mapName(sample, f.getFaceIndex()) : "").build();
        b.addEvidence(te);
        for (TrackState.Builder t : s.getTracksBuilderList()) {
          TrackSummary.Builder sum = t.getSummaryBuilder();
          if (sum.getId() == f.getTrack() && sum.getEvidenceCount() < LIVE_PER_TRACK
              && sum.getEvidenceList().stream().noneMatch(e -> e.getSampleIndex() == sample
                  && e.getFaceIndex() == f.getFaceIndex())) {
            sum.addEvidence(te);
          }
        }
        crop.addFaces(EvidenceFace.newBuilder().setFaceIndex(f.getFaceIndex())
            .setTrackId(f.getTrack()).setDetection(f.getDetection())
            .setDrawArtifactMap(!te.getMapFile().isEmpty()));
      }
      if (crop.getFacesCount() > 0 && !st.getEvidenceRequestedList().contains(sample)) {
        out.add(EvidenceRequest.newBuilder().setVideoId(videoId).setSampleIndex(sample)
            .setFrameIndex(w.getFrameIndex()).setPtsUs(w.getPtsUs())
            .setFrameWidth(w.getFrameWidth()).setFrameHeight(w.getFrameHeight())
            .setPixelFormat(w.getPixelFormat()).setTenant(s.getVerdict().getTenant())
            .setRequestedAtMs(nowMs).setCrop(crop).build());
        List<Long> asked = new ArrayList<>(st.getEvidenceRequestedList());
        asked.add(sample);
        st.clearEvidenceRequested().addAllEvidenceRequested(
            asked.subList(Math.max(0, asked.size() - LIVE_REQUESTED), asked.size()));
      }
    }
    return b.build();
  }

  /** Folds decode's report of one sample's files into the tracks that name them. */
  static void stored(VerdictState.Builder s, EvidenceStored e) {
    if (e.hasEnhanced()) {
      enhanced(s, e.getSampleIndex(), e.getEnhanced());
      return;
    }
    Set<Integer> written = e.getCropsList().stream().map(StoredCrop::getFaceIndex)
        .collect(Collectors.toSet());
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      for (TrackEvidence.Builder te : t.getSummaryBuilder().getEvidenceBuilderList()) {
        if (te.getSampleIndex() != e.getSampleIndex()) {
          continue;
        }
        if (!e.getError().isEmpty()) {
          te.setStored(false).setError(e.getError());
        } else if (written.contains(te.getFaceIndex())) {
          te.setStored(true).clearError();
        }
      }
    }
  }

  /** Folds enhance's (or decode's failed) report of a super-resolved crop into its track. */
  private static void enhanced(VerdictState.Builder s, long sample, StoredEnhanced e) {
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      for (TrackEvidence.Builder te : t.getSummaryBuilder().getEvidenceBuilderList()) {
        if (te.getSampleIndex() == sample && te.getFaceIndex() == e.getFaceIndex()
            && !te.getEnhancedFile().isEmpty()) {
          if (e.getError().isEmpty()) {
            te.setEnhancedStored(true).clearEnhancedError();
          } else {
            te.setEnhancedStored(false).setEnhancedError(e.getError());
          }
        }
      }
    }
  }

  /**
   * An upload alert's evidence: the named evidence of its tracks, highest P(fake) first, one
   * entry per sample, at most {@code limit}.
   */
  static List<TrackEvidence> forTracks(List<TrackSummary> tracks, List<Integer> ids, int limit) {
    Map<Long, TrackEvidence> bySample = new TreeMap<>();
    for (TrackSummary t : tracks) {
      if (!ids.contains(t.getId())) {
        continue;
      }
      for (TrackEvidence e : t.getEvidenceList()) {
        bySample.merge(e.getSampleIndex(), e,
            (a, b) -> a.getPFake() >= b.getPFake() ? a : b);
      }
    }
    return bySample.values().stream()
        .sorted(Comparator.comparingDouble((TrackEvidence e) -> -e.getPFake())
            .thenComparingLong(TrackEvidence::getSampleIndex))
        .limit(limit).toList();
  }
}
