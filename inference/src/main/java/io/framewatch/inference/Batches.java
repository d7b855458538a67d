package io.framewatch.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacking samples into a batch and splitting a batch back into samples, for backends and the
 * {@link DynamicBatcher}. A sample carries every tensor with a leading dimension of 1.
 */
public final class Batches {
  private Batches() {}

  /**
   * The shape of {@code name} stacked {@code n} times, checking that every sample has the same.
   *
   * @throws InferenceException when a sample lacks the input, has no leading 1 or differs
   */
  public static long[] stackedShape(List<Map<String, Tensor>> samples, String name)
      throws InferenceException {
    Tensor first = samples.get(0).get(name);
    if (first == null) {
      throw new InferenceException("missing input '" + name + "'");
    }
    if (first.shape().length == 0 || first.shape()[0] != 1) {
      throw new InferenceException("input " + name + " must have a leading batch dimension of 1,"
          + " got " + Arrays.toString(first.shape()));
    }
    for (Map<String, Tensor> s : samples) {
      Tensor t = s.get(name);
      if (t == null || !Arrays.equals(t.shape(), first.shape())) {
        throw new InferenceException("input " + name + ": samples of one batch differ in shape ("
            + Arrays.toString(first.shape()) + " vs " + (t == null ? "missing" : t) + ")");
      }
    }
    long[] shape = first.shape().clone();
    shape[0] = samples.size();
    return shape;
  }

  /** Stacks samples along the first dimension into fresh arrays. */
  public static Map<String, Tensor> stack(List<Map<String, Tensor>> samples)
      throws InferenceException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : samples.get(0).keySet()) {
      long[] shape = stackedShape(samples, name);
      int per = samples.get(0).get(name).data().length;
      float[] data = new float[per * samples.size()];
      for (int i = 0; i < samples.size(); i++) {
        System.arraycopy(samples.get(i).get(name).data(), 0, data, i * per, per);
      }
      out.put(name, new Tensor(shape, data));
    }
    return out;
  }

  /**
   * Splits batched outputs into {@code n} samples, each with a leading dimension of 1.
   *
   * @throws InferenceException when an output has no leading dimension of {@code n}
   */
  public static List<Map<String, Tensor>> split(Map<String, Tensor> batched, int n)
      throws InferenceException {
    List<Map<String, Tensor>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new LinkedHashMap<>());
    }
    for (Map.Entry<String, Tensor> e : batched.entrySet()) {
      Tensor t = e.getValue();
      if (t.shape().length == 0 || t.shape()[0] != n) {
        throw new InferenceException("output " + e.getKey() + " " + Arrays.toString(t.shape())
            + " has no batch dimension of " + n);
      }
      int per = t.data().length / n;
      long[] shape = t.shape().clone();
      shape[0] = 1;
      for (int i = 0; i < n; i++) {
        out.get(i).put(e.getKey(),
            new Tensor(shape, Arrays.copyOfRange(t.data(), i * per, (i + 1) * per)));
      }
    }
    return out;
  }
}
