package io.framewatch.ingest.view;

import io.framewatch.proto.VerdictStatus;

/**
 * One page of the video listing: newest update first.
 *
 * @param status only videos in this status (RUNNING also matches a verdict without one); null
 *     for every status
 * @param sinceMs only videos whose verdict was updated at or after this wall time (ms)
 * @param limit videos per page, at least 1
 * @param cursor the {@code next} of the previous page (same filters), null for the first page
 * @param tenant only the videos of this tenant ({@code Verdict.tenant}); null for every tenant's
 */
public record VideoQuery(VerdictStatus status, long sinceMs, int limit, String cursor,
    String tenant) {
  /** Validates the query. */
  public VideoQuery {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, got " + limit);
    }
    if (status == VerdictStatus.VERDICT_STATUS_UNSPECIFIED
        || status == VerdictStatus.UNRECOGNIZED) {
      throw new IllegalArgumentException("status must be RUNNING, FINAL, FAILED or STALLED");
    }
  }

  /** A query of every tenant's videos. */
  public VideoQuery(VerdictStatus status, long sinceMs, int limit, String cursor) {
    this(status, sinceMs, limit, cursor, null);
  }
}
