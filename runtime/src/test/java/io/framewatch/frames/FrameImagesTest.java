package io.framewatch.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.framewatch.proto.FrameRecord;
import io.framewatch.proto.PixelFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameImagesTest {

  /** BT.601 limited range, one pixel at a time, written out as the formula reads. */
  private static int[] reference(int y, int u, int v) {
    int c = 298 * (y - 16);
    int d = u - 128;
    int e = v - 128;
    return new int[] {
      Math.max(0, Math.min(255, (c + 409 * e + 128) >> 8)),
      Math.max(0, Math.min(255, (c - 100 * d - 208 * e + 128) >> 8)),
      Math.max(0, Math.min(255, (c + 516 * d + 128) >> 8))
    };
  }

  @Test
  void shouldConvertEveryYuvCombinationAsTheBt601FormulaDoes() {
    // one frame per luma value; its 256x256 chroma blocks take all 65,536 (U, V) pairs
    int w = 512;
    int h = 512;
    for (int luma : new int[] {0, 16, 17, 100, 128, 235, 240, 255}) {
      byte[] data = new byte[w * h + 2 * (w / 2) * (h / 2)];
      java.util.Arrays.fill(data, 0, w * h, (byte) luma);
      for (int i = 0; i < 65536; i++) {
        data[w * h + i] = (byte) (i & 0xff);
        data[w * h + (w / 2) * (h / 2) + i] = (byte) (i >> 8);
      }
      RgbImage img = FrameImages.toRgb(FrameRecord.newBuilder().setWidth(w).setHeight(h)
          .setPixelFormat(PixelFormat.YUV420P).addStrides(w).addStrides(w / 2).addStrides(w / 2)
          .setData(ByteString.copyFrom(data)).build());
      for (int i = 0; i < 65536; i++) {
        int cx = i % (w / 2);
        int cy = i / (w / 2);
        int o = ((2 * cy + 1) * w + 2 * cx + 1) * 3; // bottom-right pixel of the chroma block
        int[] want = reference(luma, i & 0xff, i >> 8);
        for (int c = 0; c < 3; c++) {
          assertEquals(want[c], img.rgb()[o + c] & 0xff, "Y " + luma + " U " + (i & 0xff)
              + " V " + (i >> 8) + " channel " + c);
        }
      }
    }
  }

  @Test
  void shouldReadPaddedStridesAndOddSizes() {
    int w = 5;
    int h = 3;
    int sy = 8;
    int sc = 4;
    byte[] data = new byte[sy * h + 2 * sc * 2];
    new Random(3).nextBytes(data);
    RgbImage img = FrameImages.toRgb(FrameRecord.newBuilder().setWidth(w).setHeight(h)
        .setPixelFormat(PixelFormat.YUV420P).addStrides(sy).addStrides(sc).addStrides(sc)
        .setData(ByteString.copyFrom(data)).build());
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] want = reference(data[y * sy + x] & 0xff, data[sy * h + (y / 2) * sc + x / 2] & 0xff,
            data[sy * h + 2 * sc + (y / 2) * sc + x / 2] & 0xff);
        for (int c = 0; c < 3; c++) {
          assertEquals(want[c], img.rgb()[(y * w + x) * 3 + c] & 0xff);
        }
      }
    }
  }

  @Test
  void shouldRefuseARecordWhoseBytesAreShorterThanItsPlanes() {
    FrameRecord f = FrameRecord.newBuilder().setWidth(64).setHeight(64)
        .setPixelFormat(PixelFormat.YUV420P).addStrides(64).addStrides(32).addStrides(32)
        .setData(ByteString.copyFrom(new byte[100])).build();
    assertThrows(IllegalArgumentException.class, () -> FrameImages.toRgb(f));
  }
}
