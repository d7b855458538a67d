package io.framewatch.decode;

import io.framewatch.proto.FrameRecord;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent sampled frames of the live streams this decode process runs: a live stream stores no
 * media, so its alerts' evidence can only come from frames still held here. Each stream keeps the
 * samples of its last {@link #SECONDS} seconds (at 2 samples/s and 640x360, 40 frames, some
 * 14 MB), dropped when the stream ends or moves to another process.
 */
final class LiveFrames {
  /** Seconds of samples kept per stream: an alert's window (10 s) and the pipeline's delay. */
  static final int SECONDS = 20;
  /** Bound on frames per stream, whatever the sampling rate. */
  static final int MAX_FRAMES = 200;

  private final Map<String, ArrayDeque<FrameRecord>> streams = new ConcurrentHashMap<>();
  private final Map<String, Integer> capacity = new ConcurrentHashMap<>();

  /** Frames to keep for a stream sampled at {@code samplesPerSecond}. */
  static int capacity(double samplesPerSecond) {
    double rate = samplesPerSecond > 0 ? samplesPerSecond : 2;
    return (int) Math.min(MAX_FRAMES, Math.max(1, Math.ceil(SECONDS * rate)));
  }

  /** Starts holding the frames of {@code videoId}, at most {@code frames} of them. */
  void open(String videoId, int frames) {
    capacity.put(videoId, frames);
    streams.put(videoId, new ArrayDeque<>());
  }

  /** Keeps a sampled frame, dropping the oldest beyond the stream's capacity. */
  void add(String videoId, FrameRecord frame) {
    ArrayDeque<FrameRecord> ring = streams.get(videoId);
    if (ring == null) {
      return;
    }
    synchronized (ring) {
      ring.addLast(frame);
      while (ring.size() > capacity.getOrDefault(videoId, 1)) {
        ring.removeFirst();
      }
    }
  }

  /** Whether this process runs the stream. */
  boolean holds(String videoId) {
    return streams.containsKey(videoId);
  }

  /** The held frame of sample {@code sample}, if it is still held. */
  Optional<FrameRecord> find(String videoId, long sample) {
    ArrayDeque<FrameRecord> ring = streams.get(videoId);
    if (ring == null) {
      return Optional.empty();
    }
    synchronized (ring) {
      return ring.stream().filter(f -> f.getSampleIndex() == sample).findFirst();
    }
  }

  /** Forgets the stream's frames (it ended, or this process gave it up). */
  void close(String videoId) {
    streams.remove(videoId);
    capacity.remove(videoId);
  }
}
