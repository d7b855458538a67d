package io.framewatch.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense float32 tensor owned by the Java heap: safe to keep after the backend that produced it
 * is closed.
 *
 * @param shape dimensions, outermost first
 * @param data values in row-major order; {@code data.length} equals the product of {@code shape}
 */
public record Tensor(long[] shape, float[] data) {

  /** Checks that shape and data agree. */
  public Tensor {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }
  }

  /**
   * The values of a raw little-endian float32 file (what numpy's {@code tofile} with dtype
   * {@code <f4} writes: the exporters' parity and golden files).
   */
  public static float[] littleEndianFloats(byte[] bytes) {
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(bytes.length + " bytes are not a whole number of float32");
    }
    float[] out = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return Math.toIntExact(shape[i]);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }
}
