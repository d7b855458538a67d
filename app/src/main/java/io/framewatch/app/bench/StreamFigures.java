package io.framewatch.app.bench;

import io.framewatch.proto.AlertTransition;
import io.framewatch.proto.VideoEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * What one live stream of {@code bench live} measured, from what {@link LiveTap} received of it.
 *
 * <p><b>Frame-to-verdict update</b>: for each verdict whose {@code last_frame_decoded_ms} moved
 * forward (a newer frame is counted), the time it was received minus that decode wall clock. A
 * verdict republished for another reason (progress, the end) repeats the same value and is not a
 * new measurement: counting it would measure how long the stream went without a new frame.
 *
 * <p><b>Glass-to-alert</b>: for each alert transition, the time it was received minus
 * {@code trigger_decoded_ms}, the decode wall clock of the frame that completed its window. A
 * CLEARED received after the stream was stopped is left out: the stop caused it, not a frame.
 *
 * <p><b>Dropped samples</b>: a live sample's index is its wall-clock slot since the stream was
 * accepted ({@code fps} slots a second), so every slot from the first sample to the last slot
 * that ended before the stop should hold one; the decoder reports the indices it published in
 * its Progress and EndOfVideo events. Dropped = slots without a reported sample. The time before
 * the first sample (connecting to the source) is reported apart, as {@code firstSampleS}.
 *
 * <p><b>Decode speed</b>: a sample's slot is the wall clock at which its frame was decoded, so a
 * decoder slower than the source still fills every slot while it falls further behind the
 * source, and both latencies above start from the decode. So the frames it decoded (EndOfVideo,
 * else the last Progress) are set against those the source played in real time from the first
 * sample's slot to the end of the decoding (EndOfVideo's time, else the stop; the stream's frame
 * rate from its Probe): below 1, it falls behind.
 *
 * @param samples samples the decoder reported up to the stop
 * @param expected slots from the first sample to the stop
 * @param firstSampleS seconds from acceptance to the first sample's slot, or -1 without samples
 * @param realtime frames decoded / frames played in real time, or -1 when unknown
 * @param ended whether the decoder's EndOfVideo arrived
 * @param verdictMs frame-to-verdict-update latencies, ms
 * @param alertMs glass-to-alert latencies, ms
 * @param raised alerts raised
 * @param status status of the last verdict received ("none" without one)
 */
record StreamFigures(long samples, long expected, double firstSampleS, double realtime,
    boolean ended,
    List<Long> verdictMs, List<Long> alertMs, int raised, String status) {

  /** Slots without a sample. */
  long dropped() {
    return expected - samples;
  }

  /**
   * The figures of one stream.
   *
   * @param seen what was received of it
   * @param postMs wall clock when it was started (used when its Accepted event is missing)
   * @param stopMs wall clock when its stop was requested
   * @param fps its sampling rate
   */
  static StreamFigures of(LiveTap.Seen seen, long postMs, long stopMs, double fps) {
    long acceptedMs = postMs;
    NavigableSet<Long> indices = new TreeSet<>();
    boolean ended = false;
    long endedMs = stopMs;
    double sourceFps = 0;
    long framesDecoded = 0;
    for (VideoEvent e : seen.events) {
      if (e.hasAccepted()) {
        acceptedMs = e.getAtMs();
      } else if (e.hasProbe() && sourceFps == 0) {
        sourceFps = e.getProbe().getFps();
      } else if (e.hasProgress()) {
        indices.addAll(e.getProgress().getAckedSamplesList());
        framesDecoded = Math.max(framesDecoded, e.getProgress().getFramesDecoded());
      } else if (e.hasEnd()) {
        indices.addAll(e.getEnd().getAckedSamplesList());
        framesDecoded = Math.max(framesDecoded, e.getEnd().getFramesDecoded());
        ended = true;
        endedMs = e.getAtMs() > 0 ? e.getAtMs() : stopMs;
      }
    }
    // the last slot that ended before the stop was asked for
    long lastSlot = (long) Math.floor((stopMs - acceptedMs) * fps / 1000.0) - 1;
    long samples = 0;
    long expected = 0;
    double first = -1;
    if (!indices.isEmpty() && indices.first() <= lastSlot) {
      samples = indices.subSet(indices.first(), true, lastSlot, true).size();
      expected = lastSlot - indices.first() + 1;
      first = indices.first() / fps;
    }
    // decoding went on until the stop took effect, when EndOfVideo was published
    double playedS = (endedMs - acceptedMs) / 1000.0 - Math.max(0, first);
    double realtime = first >= 0 && sourceFps > 0 && playedS > 0
        ? framesDecoded / (sourceFps * playedS) : -1;

    List<Long> verdictMs = new ArrayList<>();
    long newest = 0;
    String status = "none";
    for (LiveTap.SeenVerdict v : seen.verdicts) {
      long decoded = v.verdict().getLastFrameDecodedMs();
      if (decoded > newest) {
        verdictMs.add(v.receivedMs() - decoded);
        newest = decoded;
      }
      status = v.verdict().getStatus().name();
    }
    List<Long> alertMs = new ArrayList<>();
    int raised = 0;
    for (LiveTap.SeenAlert a : seen.alerts) {
      AlertTransition t = a.alert().getTransition();
      raised += t == AlertTransition.RAISED ? 1 : 0;
      boolean causedByStop = t == AlertTransition.CLEARED && a.receivedMs() > stopMs;
      if (!causedByStop && a.alert().getTriggerDecodedMs() > 0) {
        alertMs.add(a.receivedMs() - a.alert().getTriggerDecodedMs());
      }
    }
    return new StreamFigures(samples, expected, first, realtime, ended, List.copyOf(verdictMs),
        List.copyOf(alertMs), raised, status);
  }
}
