package io.framewatch.ingest.view;

import io.framewatch.proto.Verdict;
import io.framewatch.proto.VerdictStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Every video the view knows, and its verdicts ordered newest update first (all, and per status)
 * for paged listings. One thread (the view's reader) writes; any thread reads without locks. A
 * listing that runs while a video is updated may show that video at its old or its new place.
 */
final class VideoIndex {
  /** A video's place in the listing; the cursor of the page that ends with it. */
  record Key(long updatedMs, String videoId) {}

  private record Listing(Key key, VerdictStatus status) {}

  private static final Comparator<Key> NEWEST_FIRST =
      Comparator.comparingLong(Key::updatedMs).reversed().thenComparing(Key::videoId);

  private final ViewLimits limits;
  private final Map<String, VideoState> videos = new ConcurrentHashMap<>();
  private final Map<String, Listing> listed = new ConcurrentHashMap<>();
  private final NavigableSet<Key> all = new ConcurrentSkipListSet<>(NEWEST_FIRST);
  private final Map<VerdictStatus, NavigableSet<Key>> byStatus = new EnumMap<>(VerdictStatus.class);
  /** Videos whose tombstone was read, with the wall clock (ms) when it was. */
  private final Map<String, Long> deleted = new ConcurrentHashMap<>();

  VideoIndex(ViewLimits limits) {
    this.limits = limits;
    for (VerdictStatus s : VerdictStatus.values()) {
      byStatus.put(s, new ConcurrentSkipListSet<>(NEWEST_FIRST));
    }
  }

  /** The state of a video, created empty when its alerts or timeline come before its verdict. */
  VideoState state(String videoId) {
    return videos.computeIfAbsent(videoId, id -> new VideoState(limits));
  }

  void verdict(String videoId, Verdict v) {
    deleted.remove(videoId); // a verdict after the tombstone: the video exists again
    state(videoId).verdict(v);
    Listing now = new Listing(new Key(v.getUpdatedMs(), videoId), status(v));
    Listing before = listed.put(videoId, now);
    // Add before removing, so a concurrent listing sees the video at one place or both (and
    // keeps the first), not at neither.
    all.add(now.key());
    byStatus.get(now.status()).add(now.key());
    if (before != null && !before.equals(now)) {
      unlist(before);
    }
  }

  /**
   * A tombstone on {@code verdicts}: the video is forgotten, alerts and timeline too, and its
   * alerts and timeline points read later are ignored ({@link #deleted}).
   *
   * @param nowMs wall clock, for {@link #forgetDeletionsBefore}
   * @return the video's last verdict, or null when the view did not know it
   */
  Verdict remove(String videoId, long nowMs) {
    deleted.put(videoId, nowMs);
    VideoState s = videos.remove(videoId);
    Listing before = listed.remove(videoId);
    if (before != null) {
      unlist(before);
    }
    return s == null ? null : s.verdict();
  }

  /**
   * Whether the video's tombstone was read (and no verdict since). Its alerts and timeline points
   * can still come after the tombstone: they are on other topics, which the reader reads at
   * their own pace, most of all while it catches up after a start.
   */
  boolean deleted(String videoId) {
    return deleted.containsKey(videoId);
  }

  /** Stops remembering deletions read before {@code ms}. */
  void forgetDeletionsBefore(long ms) {
    deleted.values().removeIf(t -> t < ms);
  }

  /** Deletions remembered now. */
  int deletions() {
    return deleted.size();
  }

  /** FINAL and FAILED verdicts last updated before {@code beforeMs}, least recently updated first. */
  List<Verdict> finishedBefore(long beforeMs) {
    List<Verdict> out = new ArrayList<>();
    for (VerdictStatus st : List.of(VerdictStatus.FINAL, VerdictStatus.FAILED)) {
      for (Key k : byStatus.get(st).descendingSet()) {
        if (k.updatedMs() >= beforeMs) {
          break;
        }
        VideoState s = videos.get(k.videoId());
        Verdict v = s == null ? null : s.verdict();
        if (v != null && status(v) == st && v.getUpdatedMs() == k.updatedMs()) {
          out.add(v);
        }
      }
    }
    out.sort(Comparator.comparingLong(Verdict::getUpdatedMs));
    return out;
  }

  private void unlist(Listing l) {
    all.remove(l.key());
    byStatus.get(l.status()).remove(l.key());
  }

  /** The latest verdict of a video, null when none. */
  Verdict verdict(String videoId) {
    VideoState s = videos.get(videoId);
    return s == null ? null : s.verdict();
  }

  VideoDetail detail(String videoId) {
    VideoState s = videos.get(videoId);
    return s == null ? null : s.detail();
  }

  VideoPage page(VideoQuery q) {
    NavigableSet<Key> set = q.status() == null ? all : byStatus.get(q.status());
    if (q.cursor() != null) {
      set = set.tailSet(decode(q.cursor()), false);
    }
    List<Verdict> out = new ArrayList<>(Math.min(q.limit(), 64));
    Set<String> seen = new HashSet<>();
    Key last = null;
    for (Key k : set) {
      if (k.updatedMs() < q.sinceMs()) {
        break;
      }
      VideoState s = videos.get(k.videoId());
      Verdict v = s == null ? null : s.verdict();
      if (v == null || (q.tenant() != null && !q.tenant().equals(v.getTenant()))
          || !seen.add(k.videoId())) {
        continue;
      }
      if (out.size() == q.limit()) {
        return new VideoPage(out, encode(last));
      }
      out.add(v);
      last = k;
    }
    return new VideoPage(out, null);
  }

  /** The latest verdict of every video, in no order (usage totals). */
  Iterable<Verdict> verdicts() {
    return () -> videos.values().stream().map(VideoState::verdict)
        .filter(java.util.Objects::nonNull).iterator();
  }

  /** Videos with a verdict. */
  int size() {
    return listed.size();
  }

  /** A verdict's status as the API shows it: a verdict without one is RUNNING. */
  static VerdictStatus status(Verdict v) {
    VerdictStatus s = v.getStatus();
    return s == VerdictStatus.VERDICT_STATUS_UNSPECIFIED || s == VerdictStatus.UNRECOGNIZED
        ? VerdictStatus.RUNNING : s;
  }

  static String encode(Key k) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        (k.updatedMs() + "/" + k.videoId()).getBytes(StandardCharsets.UTF_8));
  }

  static Key decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int slash = s.indexOf('/');
      return new Key(Long.parseLong(s.substring(0, slash)), s.substring(slash + 1));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("cursor is not one this API handed out: '" + cursor
          + "'", e);
    }
  }
}
