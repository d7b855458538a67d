package io.framewatch.inference;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/** Small ONNX graphs with known outputs, written from Java (tribuo-util-onnx) for backend tests. */
final class TestGraphs {
  /** W of {@link #affine}: 3 inputs, 2 outputs, row-major [3, 2]. */
  static final float[] W = {1, -1, 2, 0.5f, -3, 0.25f};
  /** b of {@link #affine}. */
  static final float[] B = {0.5f, -2};

  private TestGraphs() {}

  /** y = x W + b with x [N, 3] and y [N, 2], N symbolic (dynamic batch). */
  static Path affine(Path dir) throws IOException {
    ONNXContext ctx = new ONNXContext();
    ONNXPlaceholder x = ctx.floatInput("x", 3);
    ONNXPlaceholder y = ctx.floatOutput("y", 2);
    ONNXInitializer w = ctx.floatTensor("W", List.of(3, 2), fb -> fb.put(W));
    ONNXInitializer b = ctx.floatTensor("b", List.of(2), fb -> fb.put(B));
    x.apply(ONNXOperators.GEMM, List.of(w, b)).assignTo(y);
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("framewatch-tests")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(ctx.buildGraph())
        .build();
    Path f = dir.resolve("affine.onnx");
    Files.write(f, model.toByteArray());
    return f;
  }

  /** The expected output of {@link #affine} for one row. */
  static float[] affineOf(float[] x) {
    float[] y = new float[2];
    for (int j = 0; j < 2; j++) {
      y[j] = B[j];
      for (int i = 0; i < 3; i++) {
        y[j] += x[i] * W[i * 2 + j];
      }
    }
    return y;
  }
}
