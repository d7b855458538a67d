package io.framewatch.ingest;

import io.framewatch.runtime.TenantPolicies;
import io.framewatch.runtime.TenantPolicies.TenantPolicy;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a tenant may start one more upload or live stream under its {@link TenantPolicies}:
 * uploads per minute, bytes stored and live streams at once. Pure logic and thread-safe; the
 * caller answers a {@link Refusal} with 429, its reason and its {@code Retry-After}:
 *
 * <pre>{@code
 * Optional<TenantLimits.Refusal> no = limits.admitStream(tenant, runningStreams);
 * if (no.isPresent()) { ctx.response().putHeader("Retry-After", no.get().retryAfter());
 *   IngestVerticle.error(ctx, Refusal.STATUS, no.get().reason()); return; }
 * }</pre>
 *
 * <p>The counts come from the API's read view of {@code verdicts}, so that every ingest replica
 * and a restarted one agree: bytes stored are the sum of {@code Verdict.stored_bytes} over the
 * tenant's verdicts, running streams its live verdicts that are neither FINAL nor FAILED. The view
 * learns of an upload or stream only once the sink folded its {@code Accepted} event, so requests
 * racing each other within that lag can exceed the stored-bytes and stream limits by the requests
 * in flight; the uploads-per-minute count is this process's own and exact, per replica.
 */
public final class TenantLimits {
  /** The sliding window of the uploads limit. */
  static final long MINUTE_MS = 60_000;
  /**
   * Retry-After for the stream and stored-bytes limits. Waiting alone frees neither (a stream must
   * end, videos must be deleted or expire), so this is a polling hint, not a promise.
   */
  public static final long FIXED_RETRY_SECONDS = 60;

  /** Which limit refused. */
  public enum Limit {
    /** Live streams at once. */
    STREAMS,
    /** Uploads per minute. */
    UPLOADS,
    /** Bytes of media stored. */
    STORED
  }

  /**
   * Why a request is refused and when to try again.
   *
   * @param limit the limit reached
   * @param reason a sentence for the {@code error} field of the 429 answer
   * @param retryAfterSeconds the {@code Retry-After} value, at least 1
   */
  public record Refusal(Limit limit, String reason, long retryAfterSeconds) {
    /** The answer's status. */
    public static final int STATUS = 429;

    /** {@code Retry-After} as the header carries it. */
    public String retryAfter() {
      return Long.toString(retryAfterSeconds);
    }
  }

  /** A tenant's admitted uploads of the last minute, oldest first. */
  private static final class Window {
    final ArrayDeque<Long> admitted = new ArrayDeque<>();
  }

  private final TenantPolicies policies;
  private final Map<String, Window> uploads = new ConcurrentHashMap<>();

  /** Limits under {@code policies}. */
  public TenantLimits(TenantPolicies policies) {
    this.policies = policies;
  }

  /**
   * Admits one upload of {@code tenant} and counts it against its uploads per minute, or says
   * which limit refuses it. A refused upload is not counted.
   *
   * @param bytes the upload's size (its {@code Content-Length}); 0 when not yet known, which
   *     admits it only while the tenant is below its stored-bytes limit
   * @param storedNow bytes the tenant stores now (the read view's sum of its verdicts'
   *     {@code stored_bytes})
   * @param nowMs the wall clock
   * @return empty when admitted; else the refusal, with Retry-After the seconds until the oldest
   *     upload of the last minute leaves the window (uploads), or {@link #FIXED_RETRY_SECONDS}
   *     (stored bytes)
   */
  public Optional<Refusal> admitUpload(String tenant, long bytes, long storedNow, long nowMs) {
    TenantPolicy p = policies.of(tenant);
    long room = p.storedBytes() - Math.max(0, storedNow);
    if (Math.max(bytes, 1) > room) {
      return Optional.of(new Refusal(Limit.STORED, "tenant " + tenant + " stores "
          + TenantPolicies.describeBytes(storedNow) + " of its "
          + TenantPolicies.describeBytes(p.storedBytes()) + (bytes > 0 ? "; this upload of "
          + TenantPolicies.describeBytes(bytes) + " would exceed it" : "")
          + " (delete videos, or ask the operator to raise FRAMEWATCH_TENANT_LIMITS)",
          FIXED_RETRY_SECONDS));
    }
    if (p.uploadsPerMinute() == Integer.MAX_VALUE) {
      return Optional.empty(); // unlimited: nothing to remember
    }
    Window w = uploads.computeIfAbsent(tenant, t -> new Window());
    synchronized (w) {
      while (!w.admitted.isEmpty() && w.admitted.peekFirst() <= nowMs - MINUTE_MS) {
        w.admitted.pollFirst();
      }
      if (w.admitted.size() >= p.uploadsPerMinute()) {
        long freeAtMs = w.admitted.isEmpty() ? nowMs + MINUTE_MS
            : w.admitted.peekFirst() + MINUTE_MS;
        return Optional.of(new Refusal(Limit.UPLOADS, "tenant " + tenant + " reached its limit"
            + " of " + p.uploadsPerMinute() + " uploads per minute", seconds(freeAtMs - nowMs)));
      }
      w.admitted.addLast(nowMs);
      return Optional.empty();
    }
  }

  /**
   * Whether {@code tenant} may start one more live stream.
   *
   * @param runningNow the tenant's live streams that have not ended (the read view's live verdicts
   *     neither FINAL nor FAILED)
   * @return empty when admitted; else the refusal, with Retry-After {@link #FIXED_RETRY_SECONDS}
   */
  public Optional<Refusal> admitStream(String tenant, int runningNow) {
    int limit = policies.of(tenant).streams();
    if (runningNow < limit) {
      return Optional.empty();
    }
    return Optional.of(new Refusal(Limit.STREAMS, "tenant " + tenant + " runs " + runningNow
        + " live stream(s), its limit is " + limit + " (stop one, or ask the operator to raise"
        + " FRAMEWATCH_TENANT_LIMITS)", FIXED_RETRY_SECONDS));
  }

  /** Whole seconds covering {@code ms}, at least 1 (Retry-After: 0 invites a busy loop). */
  private static long seconds(long ms) {
    return Math.max(1, (ms + 999) / 1000);
  }
}
