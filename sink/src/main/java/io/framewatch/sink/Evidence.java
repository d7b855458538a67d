package io.framewatch.sink;

import io.framewatch.proto.CropRequest;
import io.framewatch.proto.Detection;
import io.framewatch.proto.EvidenceFace;
import io.framewatch.proto.EvidenceRequest;
import io.framewatch.proto.EvidenceStored;
import io.framewatch.proto.StoredCrop;
import io.framewatch.proto.TrackEvidence;
import io.framewatch.proto.TrackSummary;
import io.framewatch.runtime.VideoFiles;
import io.framewatch.sink.state.EvidenceCandidate;
import io.framewatch.sink.state.TrackState;
import io.framewatch.sink.state.VerdictState;
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

  /** Names every track's evidence in the state and returns the requests for it. */
  static List<EvidenceRequest> request(String videoId, VerdictState.Builder s, long nowMs) {
    TreeMap<Long, EvidenceRequest.Builder> bySample = new TreeMap<>();
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      TrackSummary.Builder sum = t.getSummaryBuilder().clearEvidence();
      for (EvidenceCandidate c : t.getTopList()) {
        TrackEvidence.Builder e = TrackEvidence.newBuilder().setSampleIndex(c.getSample())
            .setPtsUs(c.getPtsUs()).setFrameIndex(c.getFrameIndex())
            .setFaceIndex(c.getFaceIndex())
            .setCropFile(VideoFiles.cropName(c.getSample(), c.getFaceIndex()))
            .setFrameFile(VideoFiles.frameName(c.getSample()));
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
              .setTrackId(sum.getId()).setDetection(c.getDetection()));
        }
      }
    }
    List<EvidenceRequest> out = new ArrayList<>();
    bySample.values().forEach(r -> out.add(r.build()));
    return out;
  }

  /** Folds decode's report of one sample's files into the tracks that name them. */
  static void stored(VerdictState.Builder s, EvidenceStored e) {
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
