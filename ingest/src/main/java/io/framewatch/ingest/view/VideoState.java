package io.framewatch.ingest.view;

import io.framewatch.proto.Alert;
import io.framewatch.proto.TimelinePoint;
import io.framewatch.proto.Verdict;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Everything the view holds for one video. The view's reader writes it, HTTP handlers read
 * snapshots of it; each method holds the lock only for in-memory work.
 */
final class VideoState {
  private final ViewLimits limits;
  private Verdict verdict;
  private ArrayDeque<Alert> alerts;
  private Timeline timeline;
  /** Where the video sits in the listing; written only by the view's reader. */
  volatile VideoIndex.Key listed;

  VideoState(ViewLimits limits) {
    this.limits = limits;
  }

  synchronized void verdict(Verdict v) {
    verdict = v;
  }

  synchronized Verdict verdict() {
    return verdict;
  }

  /** Adds an alert transition; false when this (alert id, sequence) is already here. */
  synchronized boolean add(Alert a) {
    if (alerts == null) {
      alerts = new ArrayDeque<>();
    }
    for (Alert seen : alerts) {
      if (seen.getSequence() == a.getSequence() && seen.getAlertId().equals(a.getAlertId())) {
        return false;
      }
    }
    alerts.addLast(a);
    if (alerts.size() > limits.alertsPerVideo()) {
      alerts.removeFirst();
    }
    return true;
  }

  synchronized void add(TimelinePoint p) {
    if (timeline == null) {
      timeline = new Timeline(limits.timelinePoints());
    }
    timeline.add(p);
  }

  /** A copy of the video's state; null until its verdict has been read. */
  synchronized VideoDetail detail() {
    if (verdict == null) {
      return null;
    }
    return new VideoDetail(verdict, alerts == null ? List.of() : List.copyOf(alerts),
        timeline == null ? List.of() : timeline.tracks());
  }
}
