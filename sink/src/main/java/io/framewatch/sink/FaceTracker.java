package io.framewatch.sink;

import io.framewatch.proto.Detection;
import io.framewatch.proto.FaceDetection;
import io.framewatch.proto.FrameAnalysis;
import io.framewatch.proto.Point;
import io.framewatch.proto.TrackSummary;
import io.framewatch.sink.state.EvidenceCandidate;
import io.framewatch.sink.state.TrackState;
import io.framewatch.sink.state.VerdictState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Links the faces of one video into tracks, in the sink, which sees every analysis of a video on
 * one partition (frames are spread over every detect worker, so detect/ cannot). Analyses arrive
 * out of order (hundreds of samples apart when detect has a backlog over several partitions):
 * they wait ({@link Pending}) and are linked in sample order; when more than the window wait, the
 * oldest is linked even if an earlier sample is still missing, and when nothing more will come
 * (an upload whose every analysis arrived, a live stream that ended) all are linked. A
 * face joins the live track whose predicted box (its last box moved on at the track's speed)
 * overlaps it most (IoU at least {@link #MIN_IOU}), else the one whose predicted keypoints are
 * nearest (mean distance under {@link #MAX_KEYPOINT_DISTANCE} of the box diagonal), else starts a
 * track; a track that missed more than {@code maxGap} of the samples linked after it is closed.
 *
 * <p>Each track keeps its {@code evidence} highest-scoring faces (by P(fake), by detector
 * confidence where no classifier judged them), from which the FINAL verdict asks for evidence.
 *
 * @param maxGap samples after a track's last face that may lack it before the track closes
 * @param window analyses buffered for reordering before the oldest is linked regardless (an
 *     upload whose analyses wait in the sink's store: {@link #UPLOAD_WINDOW})
 * @param evidence faces kept per track as evidence candidates (0: none)
 * @param srMaxFace a flagged track whose top face's box is smaller than this (longer side, source
 *     pixels) also gets super-resolved evidence ({@link Evidence#superResolve}; 0: never)
 */
public record FaceTracker(int maxGap, int window, int evidence, int srMaxFace) {
  /**
   * Super-resolved evidence for faces under 96 source pixels unless configured
   * ({@code FRAMEWATCH_EVIDENCE_SR_MAX_FACE}): below that the 224-pixel aligned crop the
   * classifier judged is itself an upscale of more than about 2x, where a moderator sees blur.
   */
  public static final int DEFAULT_SR_MAX_FACE = 96;
  /** Faces kept per track as evidence unless configured ({@code FRAMEWATCH_EVIDENCE_PER_TRACK}). */
  public static final int DEFAULT_EVIDENCE = 3;
  static final double MIN_IOU = 0.3;
  static final double MAX_KEYPOINT_DISTANCE = 0.5;
  static final long MAX_PREDICTED_STEPS = 2;
  /** Longest run of missing live indices checked one by one (longer gaps wait for the buffer). */
  static final long MAX_ABSENT_SCAN = 100_000;
  /** Tracks with fewer scored faces do not count for the track-max score (one-frame blips). */
  static final int MIN_TRACK_FACES = 3;
  /** Score bins per unit of P(fake): quantiles are exact to 0.001. */
  static final int BINS = 1000;

  /** Validates the settings. */
  public FaceTracker {
    if (maxGap < 1 || window < 1) {
      throw new IllegalArgumentException("track gap and window must be >= 1");
    }
    if (evidence < 0 || evidence > MAX_EVIDENCE) {
      throw new IllegalArgumentException("evidence per track must be in [0, " + MAX_EVIDENCE
          + "], got " + evidence);
    }
    if (srMaxFace < 0 || srMaxFace > 4096) {
      throw new IllegalArgumentException("super-resolved evidence face size must be in [0, 4096],"
          + " got " + srMaxFace);
    }
  }

  /** A tracker keeping the default number of evidence faces per track. */
  public FaceTracker(int maxGap, int window) {
    this(maxGap, window, DEFAULT_EVIDENCE);
  }

  /** A tracker with the default super-resolved evidence face size. */
  public FaceTracker(int maxGap, int window, int evidence) {
    this(maxGap, window, evidence, DEFAULT_SR_MAX_FACE);
  }

  /** Evidence files are a moderator's reading, not an archive of the video. */
  static final int MAX_EVIDENCE = 20;

  /** A linked analysis and the track of each of its detections, in detection order. */
  record Linked(FrameAnalysis frame, int[] tracks) {}

  /**
   * Analyses waiting to be linked in sample order, lowest sample first: in the state itself (a
   * small buffer, and the fold without a store), or in the sink's pending store, one entry per
   * analysis, so that an upload's analyses can wait for their turn far beyond what a state
   * rewritten on every input could hold ({@link #UPLOAD_WINDOW}).
   */
  interface Pending {
    /** Adds an analysis not linked yet. */
    void put(FrameAnalysis f);

    /** The waiting analysis with the lowest sample index, null when none waits. */
    FrameAnalysis first();

    /** Removes {@link #first()}. */
    void removeFirst();

    /** Analyses waiting. */
    long size();

    /** Whether the analyses wait outside the state (an upload may then use the larger window). */
    boolean stored();
  }

  /** Where a video's waiting analyses are kept, given its id and its state being folded. */
  interface PendingSource {
    Pending of(String videoId, VerdictState.Builder s);
  }

  /** Waiting analyses in the state's own {@code pending} list. */
  static final PendingSource IN_STATE = (id, s) -> new Pending() {
    @Override
    public void put(FrameAnalysis f) {
      List<FrameAnalysis> pending = new ArrayList<>(s.getPendingList());
      pending.add(f);
      pending.sort(Comparator.comparingLong(FrameAnalysis::getSampleIndex));
      s.clearPending().addAllPending(pending);
    }

    @Override
    public FrameAnalysis first() {
      return s.getPendingCount() == 0 ? null : s.getPending(0);
    }

    @Override
    public void removeFirst() {
      s.removePending(0);
    }

    @Override
    public long size() {
      return s.getPendingCount();
    }

    @Override
    public boolean stored() {
      return false;
    }
  };

  /**
   * Analyses an upload's tracker holds in the sink's pending store before the oldest is linked
   * regardless (its analyses all arrive, the failed ones too, so it waits for each one's turn):
   * about an hour of video at 2 samples/s, under 10 MB of disk for a video whose first analysis
   * never comes. A live stream keeps the configured window: its verdict must move as it plays.
   */
  static final long UPLOAD_WINDOW = 8192;

  /** Buffers a newly counted analysis and links whatever can be linked in order into {@code out}. */
  void add(VerdictState.Builder s, Pending pending, FrameAnalysis f, List<Linked> out) {
    if (f.getSampleIndex() < s.getNextSample()) {
      out.add(link(s, f)); // too late for its turn: linked now, against the tracks as they are
      return;
    }
    pending.put(f);
    drain(s, pending, false, out);
  }

  /**
   * Links waiting analyses in order into {@code out}; {@code all} when nothing more will come.
   * The oldest waits for the samples before it, unless more than the window wait or a live
   * stream's reports show those samples do not exist (live indices have gaps).
   */
  void drain(VerdictState.Builder s, Pending pending, boolean all, List<Linked> out) {
    long limit = pending.stored() && !s.getLive() ? Math.max(window, UPLOAD_WINDOW) : window;
    for (FrameAnalysis f = pending.first(); f != null && (all
        || f.getSampleIndex() == s.getNextSample() || pending.size() > limit
        || absentBefore(s, f.getSampleIndex())); f = pending.first()) {
      pending.removeFirst();
      out.add(link(s, f));
      s.setNextSample(Math.max(s.getNextSample(), f.getSampleIndex() + 1));
      s.setLinkedPtsUs(Math.max(s.getLinkedPtsUs(), f.getPtsUs()));
    }
  }

  /**
   * Whether every sample from the next in order up to {@code idx} is known not to exist: a live
   * stream's decoders report every index they published, so an unreported index below the highest
   * reported one was never sampled (the stream was down, or its slot had no frame).
   */
  private static boolean absentBefore(VerdictState.Builder s, long idx) {
    if (!s.hasReportedMax() || idx - 1 > s.getReportedMax()
        || idx - s.getNextSample() > MAX_ABSENT_SCAN) {
      return false;
    }
    for (long k = s.getNextSample(); k < idx; k++) {
      if (SampleBitmap.contains(s.getReportedSamples(), k)) {
        return false;
      }
    }
    return true;
  }

  private Linked link(VerdictState.Builder s, FrameAnalysis f) {
    long idx = f.getSampleIndex();
    // Frames reach the sink out of order (one video's frames are spread over every detect
    // worker): a frame after a track's last face is matched against where the track is heading,
    // a frame inside its span against its last face. A track closes when it missed more than
    // maxGap frames that came after it; frames that have not arrived yet never count.
    List<TrackState.Builder> live = new ArrayList<>();
    List<FaceDetection> predicted = new ArrayList<>();
    List<TrackState.Builder> ahead = new ArrayList<>();
    for (TrackState.Builder t : s.getTracksBuilderList()) {
      long last = t.getSummary().getLastSample();
      long dt = idx - last;
      if (dt > 0 && t.getMisses() <= maxGap) {
        live.add(t);
        ahead.add(t);
        // motion is extrapolated a couple of samples at most: over a longer jump (frames still
        // on their way) a talking head is likelier where it was than where it was heading
        long steps = Math.min(dt, MAX_PREDICTED_STEPS);
        predicted.add(shift(t.getLastFace(), t.getVx() * steps, t.getVy() * steps));
      } else if (dt <= 0 && idx >= t.getSummary().getFirstSample() - maxGap) {
        live.add(t);
        predicted.add(t.getLastFace());
      }
    }
    List<Detection> faces = f.getDetectionsList();
    TrackState.Builder[] match = new TrackState.Builder[faces.size()];
    // greedy by overlap, then by keypoint distance
    List<double[]> pairs = new ArrayList<>();
    for (int d = 0; d < faces.size(); d++) {
      for (int t = 0; t < live.size(); t++) {
        double iou = Math.max(iou(faces.get(d).getFace(), predicted.get(t)),
            iou(faces.get(d).getFace(), live.get(t).getLastFace()));
        if (iou >= MIN_IOU) {
          pairs.add(new double[] {iou, d, t});
        }
      }
    }
    pairs.sort((a, b) -> Double.compare(b[0], a[0]));
    List<TrackState.Builder> taken = new ArrayList<>();
    for (double[] p : pairs) {
      int d = (int) p[1];
      TrackState.Builder t = live.get((int) p[2]);
      if (match[d] == null && !taken.contains(t)) {
        match[d] = t;
        taken.add(t);
      }
    }
    for (int d = 0; d < faces.size(); d++) {
      if (match[d] != null) {
        continue;
      }
      TrackState.Builder best = null;
      double bestDistance = MAX_KEYPOINT_DISTANCE;
      for (int k = 0; k < live.size(); k++) {
        TrackState.Builder t = live.get(k);
        double dist = keypointDistance(faces.get(d).getFace(), predicted.get(k));
        if (!taken.contains(t) && dist < bestDistance) {
          best = t;
          bestDistance = dist;
        }
      }
      if (best != null) {
        match[d] = best;
        taken.add(best);
      }
    }
    for (TrackState.Builder t : ahead) {
      t.setMisses(taken.contains(t) ? 0 : t.getMisses() + 1);
    }
    int[] ids = new int[faces.size()];
    for (int d = 0; d < faces.size(); d++) {
      TrackState.Builder t = match[d];
      if (t == null) {
        int id = s.getNextTrackId() + 1;
        s.setNextTrackId(id);
        t = s.addTracksBuilder().setSummary(TrackSummary.newBuilder().setId(id)
            .setFirstSample(idx).setFirstPtsUs(f.getPtsUs()));
      }
      update(t, faces.get(d), idx, f.getPtsUs());
      keepEvidence(t, f, d);
      ids[d] = t.getSummary().getId();
    }
    return new Linked(f, ids);
  }

  private static void update(TrackState.Builder t, Detection d, long idx, long ptsUs) {
    TrackSummary.Builder sum = t.getSummaryBuilder();
    if (idx >= sum.getLastSample()) {
      if (sum.getFrames() > 0 && idx > sum.getLastSample()) {
        long dt = idx - sum.getLastSample();
        t.setVx((float) ((centreX(d.getFace()) - centreX(t.getLastFace())) / dt))
            .setVy((float) ((centreY(d.getFace()) - centreY(t.getLastFace())) / dt));
      }
      sum.setLastSample(idx).setLastPtsUs(ptsUs);
      t.setLastFace(d.getFace());
    }
    if (idx < sum.getFirstSample()) {
      sum.setFirstSample(idx).setFirstPtsUs(ptsUs);
    }
    sum.setFrames(sum.getFrames() + 1);
    if (d.getResultCase() == Detection.ResultCase.P_FAKE) {
      float p = d.getPFake();
      t.setScoreSum(t.getScoreSum() + p).setScored(t.getScored() + 1);
      t.putScoreBins(bin(p), t.getScoreBinsOrDefault(bin(p), 0) + 1);
      sum.setScoreMean(t.getScoreSum() / t.getScored())
          .setScoreMax(sum.hasScoreMax() ? Math.max(sum.getScoreMax(), p) : p)
          .setScoreP90(quantile(t.getScoreBinsMap(), 0.9));
    }
  }

  /** Keeps face {@code d} of {@code f} among the track's top faces if it ranks there. */
  private void keepEvidence(TrackState.Builder t, FrameAnalysis f, int d) {
    if (evidence == 0) {
      return;
    }
    Detection det = f.getDetections(d);
    EvidenceCandidate c = EvidenceCandidate.newBuilder().setSample(f.getSampleIndex())
        .setPtsUs(f.getPtsUs()).setFrameIndex(f.getFrameIndex()).setFaceIndex(d)
        .setDetection(det).setFrameWidth(f.getFrameWidth()).setFrameHeight(f.getFrameHeight())
        .setPixelFormat(f.getPixelFormat()).build();
    List<EvidenceCandidate> top = new ArrayList<>(t.getTopList());
    top.add(c);
    top.sort(EVIDENCE_ORDER);
    t.clearTop().addAllTop(top.subList(0, Math.min(evidence, top.size())));
  }

  /** Highest P(fake) first (detector confidence when unjudged), then the earlier sample. */
  static final Comparator<EvidenceCandidate> EVIDENCE_ORDER = Comparator
      .comparingDouble((EvidenceCandidate c) -> -rank(c.getDetection()))
      .thenComparingLong(EvidenceCandidate::getSample)
      .thenComparingInt(EvidenceCandidate::getFaceIndex);

  private static double rank(Detection d) {
    return d.getResultCase() == Detection.ResultCase.P_FAKE ? d.getPFake()
        : d.getFace().getScore() - 1; // below every judged face
  }

  private static double centreX(FaceDetection f) {
    return (f.getXMin() + f.getXMax()) / 2.0;
  }

  private static double centreY(FaceDetection f) {
    return (f.getYMin() + f.getYMax()) / 2.0;
  }

  /** {@code f} moved by (dx, dy), keypoints included. */
  static FaceDetection shift(FaceDetection f, double dx, double dy) {
    if (dx == 0 && dy == 0) {
      return f;
    }
    FaceDetection.Builder b = f.toBuilder().setXMin((float) (f.getXMin() + dx))
        .setXMax((float) (f.getXMax() + dx)).setYMin((float) (f.getYMin() + dy))
        .setYMax((float) (f.getYMax() + dy)).clearKeypoints();
    for (Point p : f.getKeypointsList()) {
      b.addKeypoints(Point.newBuilder().setX((float) (p.getX() + dx))
          .setY((float) (p.getY() + dy)));
    }
    return b.build();
  }

  static int bin(double p) {
    return (int) Math.min(BINS, Math.max(0, Math.round(p * BINS)));
  }

  /** Nearest-rank quantile of binned scores: the smallest score with at least q of them at or below. */
  static double quantile(Map<Integer, Integer> bins, double q) {
    long n = bins.values().stream().mapToLong(Integer::longValue).sum();
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (var e : new java.util.TreeMap<>(bins).entrySet()) {
      seen += e.getValue();
      if (seen >= rank) {
        return e.getKey() / (double) BINS;
      }
    }
    return 0;
  }

  static double iou(FaceDetection a, FaceDetection b) {
    double ix = Math.min(a.getXMax(), b.getXMax()) - Math.max(a.getXMin(), b.getXMin());
    double iy = Math.min(a.getYMax(), b.getYMax()) - Math.max(a.getYMin(), b.getYMin());
    if (ix <= 0 || iy <= 0) {
      return 0;
    }
    double inter = ix * iy;
    double union = area(a) + area(b) - inter;
    return union <= 0 ? 0 : inter / union;
  }

  private static double area(FaceDetection f) {
    return Math.max(0, f.getXMax() - f.getXMin()) * Math.max(0, f.getYMax() - f.getYMin());
  }

  /** Mean distance of matching keypoints over the previous box's diagonal; infinite without any. */
  static double keypointDistance(FaceDetection now, FaceDetection before) {
    int n = Math.min(now.getKeypointsCount(), before.getKeypointsCount());
    double diag = Math.hypot(before.getXMax() - before.getXMin(),
        before.getYMax() - before.getYMin());
    if (n == 0 || diag <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      Point p = now.getKeypoints(i);
      Point q = before.getKeypoints(i);
      sum += Math.hypot(p.getX() - q.getX(), p.getY() - q.getY());
    }
    return sum / n / diag;
  }
}
