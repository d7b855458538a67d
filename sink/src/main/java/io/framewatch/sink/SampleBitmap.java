package io.framewatch.sink;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/** Sets of sample indices as bitmaps in protobuf bytes (bit {@code i % 8} of byte {@code i / 8}). */
final class SampleBitmap {
  private SampleBitmap() {}

  /** Whether {@code idx} can be tracked (live streams at 2 fps reach the bound after 97 days). */
  static boolean trackable(long idx) {
    return idx >= 0 && idx < VerdictAggregator.MAX_TRACKED_SAMPLES;
  }

  static boolean contains(ByteString bits, long idx) {
    int b = (int) (idx >>> 3);
    return b < bits.size() && (bits.byteAt(b) & (1 << (idx & 7))) != 0;
  }

  /** {@code bits} with {@code indices} added (untrackable indices are ignored). */
  static ByteString with(ByteString bits, Iterable<Long> indices) {
    byte[] a = bits.toByteArray();
    boolean changed = false;
    for (long idx : indices) {
      if (!trackable(idx)) {
        continue;
      }
      int b = (int) (idx >>> 3);
      if (b >= a.length) {
        a = Arrays.copyOf(a, Math.max(b + 1, a.length * 2));
      }
      a[b] |= (byte) (1 << (idx & 7));
      changed = true;
    }
    return changed ? ByteString.copyFrom(a) : bits;
  }

  /** Size of the union of two sets. */
  static long unionCount(ByteString x, ByteString y) {
    long n = 0;
    for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
      int a = i < x.size() ? x.byteAt(i) & 0xff : 0;
      int b = i < y.size() ? y.byteAt(i) & 0xff : 0;
      n += Integer.bitCount(a | b);
    }
    return n;
  }

  /** Whether every index of {@code sub} is in {@code of}. */
  static boolean subset(ByteString sub, ByteString of) {
    for (int i = 0; i < sub.size(); i++) {
      int a = sub.byteAt(i) & 0xff;
      int b = i < of.size() ? of.byteAt(i) & 0xff : 0;
      if ((a & ~b) != 0) {
        return false;
      }
    }
    return true;
  }
}
