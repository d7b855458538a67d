package io.framewatch.ingest.view;

import io.framewatch.proto.Verdict;
import java.util.List;

/**
 * A page of the video listing.
 *
 * @param videos latest verdicts, newest update first
 * @param next opaque cursor of the following page; null when this is the last
 */
public record VideoPage(List<Verdict> videos, String next) {
  /** Copies the verdicts. */
  public VideoPage {
    videos = List.copyOf(videos);
  }
}
